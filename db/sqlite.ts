import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { PlainQuery, Database as StoreDatabase } from './database';
import { GroupCommit } from './group-commit';

/** Where a service keeps its SQLite file: one per service under DATA_DIR, named for it. */
export const databaseFile = (dataDir: string, service: string) => join(dataDir, `${service}.db`);

/** A service's SQLite database, with the connection under it for what only SQLite has (the audit's plain SQL). */
export interface SqliteDatabase<S> extends StoreDatabase<S> {
  client: Database.Database;
}

/** How a service's SQLite store is made: its drizzle schema, its migrations, and the store on a connection. */
export interface SqliteStoreParts<TSchema extends Record<string, unknown>, S> {
  schema: TSchema;
  /** The folder of its migrations: `new URL('./migrations', import.meta.url)`. */
  migrations: URL;
  /** Builds the store on the connection, preparing its statements once. */
  store: (db: BetterSQLite3Database<TSchema>) => S;
}

/**
 * Opens (creating if needed) a service's SQLite file, applies its migrations and builds its
 * store. One connection does everything: its writes go through a group commit, which applies
 * each group of transactions within one turn of the event loop, so a read between two turns
 * never sees a transaction half done.
 */
export function openSqlite<TSchema extends Record<string, unknown>, S>(
  file: string,
  { schema, migrations, store }: SqliteStoreParts<TSchema, S>,
): SqliteDatabase<S> & { db: BetterSQLite3Database<TSchema>; store: S } {
  mkdirSync(dirname(file), { recursive: true });
  const client = new Database(file);
  // WAL lets readers run beside the writer; NORMAL sync is durable against a process crash.
  client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma('busy_timeout = 5000');
  client.pragma('foreign_keys = ON');
  const db = drizzle({ client, schema });
  migrate(db, { migrationsFolder: fileURLToPath(migrations) });
  const built = store(db);
  const listeners: ((store: S) => void)[] = [];
  const commits = new GroupCommit(client, built, (store) => listeners.forEach((listener) => listener(store)));
  return {
    client,
    db,
    store: built,
    transaction: (work) => commits.submit(work),
    writeEach: (work) => commits.submit(work),
    onCommit: (listener) => void listeners.push(listener),
    async read(work) {
      commits.assertOutsideTransaction();
      return work(built);
    },
    snapshot: (work) => sqliteSnapshot(client, work),
    async ping() {
      client.prepare('SELECT 1').get();
    },
    async close() {
      if (client.open) client.close();
    },
  };
}

/** How many rows a prepared write changed. */
export const changes = (result: unknown) => (result as { changes: number }).changes;

/**
 * Plain SQL in one read transaction on `client`, which may be a running shop's file opened by
 * another process: its writers commit around the read, never inside it.
 */
export async function sqliteSnapshot<R>(
  client: Database.Database,
  work: (query: PlainQuery) => Promise<R>,
): Promise<R> {
  client.prepare('BEGIN').run();
  try {
    return await work(async (sql) => client.prepare(sql).all() as Record<string, unknown>[]);
  } finally {
    client.prepare('COMMIT').run();
  }
}
