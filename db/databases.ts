import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Databases made and dropped on a PostgreSQL server, as a user allowed to: the test suites' and
 * the bench's own, each with a name of its own.
 */
export interface MadeDatabase {
  /** The new database, as the server's user. */
  url: string;
  /** Drops the database, ending whatever connections are still on it. */
  drop(): Promise<void>;
}

/** A new, empty database on the server at `serverUrl`, named `<prefix><random>`. */
export async function makeDatabase(serverUrl: string, prefix: string): Promise<MadeDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`not a database name prefix: ${prefix}`);
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    // FORCE terminates the connections left on it first: a pool its user failed to close.
    drop: async () => void (await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Runs one statement on the server, as its user, on a connection of its own. */
export async function onServer<R extends pg.QueryResultRow = pg.QueryResultRow>(
  serverUrl: string,
  statement: string,
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query<R>(statement);
  } finally {
    await client.end();
  }
}
