import Database from 'better-sqlite3';
import pg from 'pg';
import type { ServiceName } from '../../contracts';
import type { PlainQuery } from '../../db/database';
import { bigintsAsNumbers } from '../../db/postgres';
import { sqliteSnapshot, databaseFile } from '../../db/sqlite';

/**
 * What the bench reads of a shop it ran, from the shop's databases with plain SQL, whichever
 * store kept them: each service's SQLite file under the data folder, or its schema on PostgreSQL.
 */
export interface ShopData {
  /**
   * Rows of one SELECT on a service's database, written in SQL both read alike; `$1`… are the
   * values. A count must be cast (`CAST(count(*) AS INTEGER)`): PostgreSQL's is a bigint, which
   * pg hands over as text.
   */
  query<T>(service: ServiceName, sql: string, ...values: unknown[]): Promise<T[]>;
  /** Plain SQL of one service in one consistent read (the audit). */
  snapshot<R>(service: ServiceName, work: (query: PlainQuery) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

/** The SQLite files under `dataDir`, opened read-only for each read: the shop may be running. */
export function sqliteData(dataDir: string): ShopData {
  const open = (service: ServiceName) =>
    new Database(databaseFile(dataDir, service), { readonly: true, fileMustExist: true });
  const using = async <R>(service: ServiceName, use: (db: Database.Database) => Promise<R>) => {
    const db = open(service);
    try {
      return await use(db);
    } finally {
      db.close();
    }
  };
  return {
    query: (service, sql, ...values) =>
      using(service, async (db) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...values) as never),
    snapshot: (service, work) => using(service, (db) => sqliteSnapshot(db, work)),
    close: async () => {},
  };
}

/** A PostgreSQL database whose schemas, one per service, the shop keeps its state in. */
export function postgresData(url: string): ShopData {
  const client = new pg.Client({ connectionString: url, application_name: 'saga-shop bench', types: bigintsAsNumbers });
  const connected = client.connect();
  const inSchema = async <R>(service: ServiceName, run: () => Promise<R>) => {
    await connected;
    await client.query(`SET search_path TO ${service}`);
    return run();
  };
  return {
    query: (service, sql, ...values) => inSchema(service, async () => (await client.query(sql, values)).rows as never),
    snapshot: (service, work) =>
      inSchema(service, async () => {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        try {
          return await work(async (sql) => (await client.query(sql)).rows);
        } finally {
          await client.query('COMMIT');
        }
      }),
    close: async () => {
      await connected.catch(() => {});
      await client.end();
    },
  };
}
