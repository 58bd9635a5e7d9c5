import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

/** Where a service keeps its SQLite file: one per service under DATA_DIR, named for it. */
export const databaseFile = (dataDir: string, service: string) => join(dataDir, `${service}.db`);

/** A database or a transaction on it: data-access functions take either. */
export type SqliteDb = BaseSQLiteDatabase<'sync', unknown, Record<string, unknown>>;

export interface OpenedDatabase<TSchema extends Record<string, unknown>> {
  db: BetterSQLite3Database<TSchema>;
  close(): void;
}

/** Opens (creating if needed) a service's SQLite file and applies its migrations. */
export function openDatabase<TSchema extends Record<string, unknown>>(
  file: string,
  schema: TSchema,
  migrationsFolder: string,
): OpenedDatabase<TSchema> {
  mkdirSync(dirname(file), { recursive: true });
  const client = new Database(file);
  // WAL lets readers run beside the writer; NORMAL sync is durable against a process crash.
  client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma('busy_timeout = 5000');
  client.pragma('foreign_keys = ON');
  const db = drizzle({ client, schema });
  migrate(db, { migrationsFolder });
  return { db, close: () => client.close() };
}
