import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { fileURLToPath } from 'node:url';
import { DatabaseUnavailable, type Database } from './database';
import { redactUrl } from '../lib/redact-url';
import { Pool, type Connection } from './postgres-pool';

/** A store's connection: drizzle over one pg client, which a store may also use directly. */
export type PostgresDb<TSchema extends Record<string, unknown> = Record<string, unknown>> = NodePgDatabase<TSchema> & {
  $client: pg.Client;
};

/** How a service's PostgreSQL store is made: its drizzle schema, its migrations, and the store on a connection. */
export interface PostgresStoreParts<TSchema extends Record<string, unknown>, S> {
  schema: TSchema;
  /** The folder of its migrations: `new URL('./migrations', import.meta.url)`. */
  migrations: URL;
  /** Builds the store on one connection, once per connection: statements prepared there stay prepared. */
  store: (db: PostgresDb<TSchema>) => S;
}

/** Where a service keeps its state on PostgreSQL. */
export interface PostgresLocation {
  /** postgres:// or postgresql://, with the service's own user where there is one. */
  url: string;
  /** The service's schema: its tables, and its migrations table, live there and only there. */
  schema: string;
}

/**
 * Connections for transactions each service keeps unless told, besides READERS for reads: two
 * all-in-one instances then hold 60, well under a server's default 100.
 */
export const DEFAULT_POOL_SIZE = 4;
const READERS = 2;

/**
 * Opens a service's PostgreSQL schema: creates it if missing, applies its migrations, and
 * keeps a fixed pool of connections to it, each with the store built on it. A connection lost
 * (the server restarted, a backend terminated) is replaced by the next caller that needs it, so
 * the database comes back by itself when PostgreSQL does; callers meanwhile get the error.
 */
export async function openPostgres<TSchema extends Record<string, unknown>, S>(
  { url, schema }: PostgresLocation,
  parts: PostgresStoreParts<TSchema, S>,
  poolSize = DEFAULT_POOL_SIZE,
): Promise<Database<S>> {
  const config = clientConfig(url, schema);
  // The first connection's failure says where it went: the host, port or user is a setting to fix.
  await migrate(config, schema, fileURLToPath(parts.migrations)).catch((error: Error) => {
    throw new Error(`PostgreSQL at ${redactUrl(url)}: ${error.message}`, { cause: error });
  });
  const open = () => connect(config, schema);
  const build = (client: pg.Client) => parts.store(drizzle({ client, schema: parts.schema }));
  // Reads (the relay's claims, routes, health) have connections of their own: behind a queue
  // of transactions each would wait for every delivery ahead of it, on every hop of a saga.
  const pool = new Pool(poolSize, open, build);
  const readers = new Pool(READERS, open, build);
  const listeners: ((store: S) => void)[] = [];
  const committed = (store: S) => listeners.forEach((listener) => listener(store));
  return {
    transaction: (work) => retrying(() => pool.use((connection) => inTransaction(connection, work, committed))),
    onCommit: (listener) => void listeners.push(listener),
    read: (work) => retrying(() => readers.use((connection) => outsideTransaction(connection, work))),
    writeEach: (work) => retrying(() => readers.use((connection) => outsideTransaction(connection, work))),
    snapshot: (work) =>
      retrying(() =>
        readers.use((connection) =>
          outsideTransaction(connection, async () => {
            const { client } = connection;
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
            try {
              return await work(async (sql) => (await client.query(sql)).rows);
            } finally {
              await client.query('COMMIT');
            }
          }),
        ),
      ),
    ping: () =>
      retrying(() =>
        readers.use(
          async (connection) => void (await outsideTransaction(connection, () => connection.client.query('SELECT 1'))),
        ),
      ),
    close: async () => void (await Promise.all([pool.close(), readers.close()])),
  };
}

/** Schema names go into SQL and search_path as they are, so only plain lower-case identifiers are taken. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function clientConfig(url: string, schema: string): pg.ClientConfig {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`${schema} is not a schema name: lower-case letters, digits, _`);
  // Checked here, not by pg: the error a bad URL raises inside it carries the whole URL, password included.
  const { protocol } = URL.canParse(url) ? new URL(url) : { protocol: '' };
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new Error(`not a postgres:// or postgresql:// URL: ${redactUrl(url)}`);
  return {
    connectionString: url,
    application_name: `saga-shop ${schema}`,
    connectionTimeoutMillis: 10_000,
    // A server that vanished without closing the socket is noticed by the operating system.
    keepAlive: true,
    types: bigintsAsNumbers,
  };
}

/**
 * pg hands a bigint over as text, since it may pass 2^53; the shop's bigints (amounts, unit
 * counts, row numbers) stay far below, and plain SQL (the audit's) reads them as numbers, as
 * drizzle's `mode: 'number'` columns do.
 */
export const bigintsAsNumbers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

async function connect(config: pg.ClientConfig, schema: string): Promise<pg.Client> {
  const client = new pg.Client(config);
  // Without a listener, an idle connection's error (a terminated backend) would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    // Only the service's schema: an unqualified name never reaches another schema, public included.
    await client.query(`SET search_path TO ${schema}`);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * Creates the schema if missing and applies the migrations not applied yet, in one
 * transaction, holding a session-level advisory lock for the schema, so instances starting
 * together apply each migration once: the others wait, then find nothing to do. The migrations
 * table is drizzle's own (`__drizzle_migrations`, a migration applied when its folderMillis is
 * not after the last one's), kept in the service's schema. drizzle's migrate() is not used: it
 * runs CREATE SCHEMA IF NOT EXISTS every time, which a role without CREATE on the database (as
 * `db:setup` makes them) is refused even when the schema exists.
 */
async function migrate(config: pg.ClientConfig, schema: string, migrationsFolder: string): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  const client = await connect(config, schema);
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`saga-shop migrate ${schema}`]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
    );
    const { rows } = await client.query<{ created_at: string }>(
      'SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1',
    );
    const last = rows[0] ? Number(rows[0].created_at) : -Infinity;
    const pending = migrations.filter((migration) => migration.folderMillis > last);
    if (pending.length === 0) return;
    await client.query('BEGIN');
    try {
      for (const migration of pending) {
        for (const statement of migration.sql) await client.query(statement);
        await client.query('INSERT INTO __drizzle_migrations (hash, created_at) VALUES ($1, $2)', [
          migration.hash,
          migration.folderMillis,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  } finally {
    // Ending the session releases the lock, whatever happened.
    await client.end();
  }
}

/**
 * The connection died under uncommitted work: the server ended the session, so nothing of it
 * took effect, and it can run again on another connection. (A connection lost during COMMIT is
 * not this: the commit may have happened.)
 */
class LostConnection extends Error {
  constructor(cause: unknown) {
    super('the connection to PostgreSQL was lost before the work was committed', { cause });
    this.name = 'LostConnection';
  }
}

/**
 * After `error`, runs `probe` to learn whether the connection still works: if not, it is
 * marked for replacement and the failure becomes a LostConnection. A terminated backend's
 * notice may reach the client only as the answer to the next statement, so a connection can
 * look fine until it is used.
 */
async function unlessLost(connection: Connection<unknown>, error: unknown, probe: string): Promise<never> {
  try {
    await connection.client.query(probe);
  } catch {
    connection.broken = true;
    throw new LostConnection(error);
  }
  throw error;
}

async function inTransaction<S, R>(
  connection: Connection<S>,
  work: (store: S) => Promise<R>,
  committed: (store: S) => void,
): Promise<R> {
  const { client } = connection;
  let result: R;
  try {
    await client.query('BEGIN');
    result = await work(connection.store);
  } catch (error) {
    return unlessLost(connection, error, 'ROLLBACK');
  }
  try {
    await client.query('COMMIT');
    committed(connection.store);
    return result;
  } catch (error) {
    // A conflict found at COMMIT: the server has ended the transaction, ROLLBACK only warns.
    await client.query('ROLLBACK').catch(() => (connection.broken = true));
    throw error;
  }
}

async function outsideTransaction<S, R>(connection: Connection<S>, work: (store: S) => Promise<R>): Promise<R> {
  try {
    return await work(connection.store);
  } catch (error) {
    return unlessLost(connection, error, 'SELECT 1');
  }
}

/** Serialization failure and deadlock: PostgreSQL rolled the transaction back, and running it again may succeed. */
const CONFLICTS = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

/** Whatever says the server could not be reached or went away, rather than refusing what it was sent. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
function unreachable(error: unknown): boolean {
  if (error instanceof LostConnection) return true;
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    // SQLSTATE class 08 (connection exception), 53300 (no connection left for us: max_connections
    // or a role's or database's limit), 57P01-57P03 (the server shutting down or starting).
    if (
      typeof code === 'string' &&
      (UNREACHABLE_CODES.has(code) || code.startsWith('08') || code === '53300' || /^57P0[123]$/.test(code))
    )
      return true;
    if (/Connection terminated|not queryable/.test(cause.message)) return true;
  }
  return false;
}

const worthRetrying = (error: unknown) => error instanceof LostConnection || CONFLICTS.has(sqlStateOf(error)!);

/**
 * The SQLSTATE PostgreSQL answered a failed statement with (`23505` unique violation, `40001`
 * serialization failure…), if that is what `error` is. drizzle wraps the driver's error in its
 * own, the driver's as its cause.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof pg.DatabaseError) return cause.code;
  }
  return undefined;
}

/**
 * Runs work again while it fails for a conflict or a lost connection, up to MAX_ATTEMPTS, after a random
 * pause that grows with each attempt, so the transactions that collided do not collide again.
 */
async function retrying<R>(attempt: () => Promise<R>): Promise<R> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= MAX_ATTEMPTS || !worthRetrying(error))
        throw unreachable(error) ? new DatabaseUnavailable(error) : error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** tries)));
    }
  }
}
