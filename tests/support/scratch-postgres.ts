import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests make their databases on, as a user that may create and drop them. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchPostgres {
  /** The new database, as the TEST_DATABASE_URL user. */
  url: string;
  /** Drops the database, ending whatever connections are still on it. */
  drop(): Promise<void>;
}

/** A new, empty database with a random name on the test server; the test drops it when done. */
export async function scratchPostgres(): Promise<ScratchPostgres> {
  const name = `saga_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    // FORCE terminates the connections left on it first: a pool the test failed to close.
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function asAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
