import pg from 'pg';
import { setupStatements, type SetupInput } from './setup-plan';

/**
 * Makes the services' database if missing, then their roles and schemas (setupStatements) in
 * one transaction, as the superuser of `input.adminUrl`. Safe to run again: roles that exist
 * get their password and attributes set anew. Resolves to the roles it created.
 */
export async function setUpDatabase(input: SetupInput): Promise<string[]> {
  await asAdmin(input.adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [input.database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(input.database)}`);
  });
  const onDatabase = new URL(input.adminUrl);
  onDatabase.pathname = `/${encodeURIComponent(input.database)}`;
  return asAdmin(onDatabase.href, async (client) => {
    const roles = input.roles.map(({ role }) => role);
    const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [
      roles,
    ]);
    const existing = new Set(rows.map((row) => row.rolname));
    await client.query('BEGIN');
    try {
      for (const statement of setupStatements(input, existing)) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    return roles.filter((role) => !existing.has(role));
  });
}

async function asAdmin<R>(url: string, work: (client: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({ connectionString: url, application_name: 'saga-shop db:setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
