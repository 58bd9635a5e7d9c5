import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase, SQLiteInsertValue, SQLiteTable } from 'drizzle-orm/sqlite-core';

/** Where a service keeps its SQLite file: one per service under DATA_DIR, named for it. */
export const databaseFile = (dataDir: string, service: string) => join(dataDir, `${service}.db`);

/** A database or a transaction on it: data-access functions take either. */
export type SqliteDb = BaseSQLiteDatabase<'sync', unknown, Record<string, unknown>>;

export interface OpenedDatabase<TSchema extends Record<string, unknown>> {
  db: BetterSQLite3Database<TSchema>;
  /** The connection under `db`, for plain SQL. */
  client: Database.Database;
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
  cacheStatements(client);
  const db = drizzle({ client, schema });
  migrate(db, { migrationsFolder });
  return { db, client, close: () => client.close() };
}

/**
 * Queries built once per connection and run many times. drizzle builds a query's SQL anew on
 * every call, which costs more than running it; `build` makes each hot query once, with
 * `param` placeholders for its values, and the store functions run them. A transaction shares its
 * database's connection (its session), so either may be passed.
 */
export function preparedQueries<T>(build: (db: SqliteDb) => T): (db: SqliteDb) => T {
  const byConnection = new WeakMap<object, T>();
  return (db) => {
    const connection = (db as unknown as { session: object }).session;
    let queries = byConnection.get(connection);
    if (!queries) byConnection.set(connection, (queries = build(db)));
    return queries;
  };
}

/** A value bound when a prepared query runs, by name. */
export const param = (name: string) => sql.placeholder(name);

/**
 * An insert's values for a prepared query: one placeholder per column of `table`, named for the
 * column, less the `omitted` ones (an autoincrement key), so a row object runs it as it is.
 */
export function rowParams<T extends SQLiteTable>(table: T, ...omitted: string[]): SQLiteInsertValue<T> {
  const names = Object.keys(getTableColumns(table)).filter((name) => !omitted.includes(name));
  return Object.fromEntries(names.map((name) => [name, param(name)])) as SQLiteInsertValue<T>;
}

/**
 * An update's values for a prepared query, each a placeholder named for its column. drizzle's
 * types take no placeholder in set(), so each goes in as SQL (a JSON column's value is then
 * passed as its JSON text).
 */
export const setParams = <K extends string>(...names: K[]) =>
  Object.fromEntries(names.map((name) => [name, sql`${param(name)}`])) as Record<K, SQL>;

/** Distinct SQL texts kept prepared per connection; the oldest is dropped past it. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * SQLite takes the value bound to `LIMIT ?` as an input to the query plan, so it compiles the
 * statement again every time the limit is bound: every run of a prepared query, 3.5 of the 8 µs
 * a small read took here. `LIMIT +?` binds the same number through an expression it does not
 * look into. drizzle writes `limit ?` for every `.limit()`.
 */
const limitOutOfPlan = (source: string) => source.replace(/ limit \?/g, ' limit +?');

/**
 * drizzle asks better-sqlite3 to prepare a query's SQL on every call, and preparing costs more
 * than running a small statement. The same query builds the same SQL text (values are bound
 * parameters), so statements are kept by their text and reused. drizzle switches a statement
 * into raw (array) mode where it wants arrays; a reused one starts out in object mode again.
 */
function cacheStatements(client: Database.Database): void {
  const prepare = client.prepare.bind(client);
  const prepared = new Map<string, Database.Statement>();
  client.prepare = ((source: string) => {
    let statement = prepared.get(source);
    if (statement) {
      if (statement.reader) statement.raw(false);
      return statement;
    }
    statement = prepare(limitOutOfPlan(source));
    if (prepared.size >= STATEMENT_CACHE_SIZE) prepared.delete(prepared.keys().next().value!);
    prepared.set(source, statement);
    return statement;
  }) as Database.Database['prepare'];
}
