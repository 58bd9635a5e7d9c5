import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { databaseServices, type DatabaseService } from '../../db/locations';

/**
 * Where a system keeps its services' state: a SQLite file per service in its data folder or,
 * when it was given a DATABASE_URL, a schema per service in that PostgreSQL database.
 */
export interface StoreLocation {
  dataDir: string;
  databaseUrl?: string;
}

type Row = Record<string, unknown>;

/**
 * Plain SQL on every service's store, read beside the running system, with the rows alike on
 * both: on PostgreSQL a boolean reads as 0/1, json and jsonb as their text, bigint (count(*))
 * as a number, as SQLite gives them.
 */
export interface StoreReader {
  kind: 'sqlite' | 'postgres';
  /**
   * The rows `sql` selects from `service`'s store. `sql` names each table through `table`
   * (qualified by the service's schema on PostgreSQL) and takes its parameters as `?`.
   */
  all<T = Row>(
    service: DatabaseService,
    sql: (table: (name: string) => string) => string,
    ...params: unknown[]
  ): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Opens what `where` names, read only. `missing: 'empty'` reads a service whose SQLite file does
 * not exist (yet) as having no rows, where by default that throws.
 */
export async function openStores(
  where: StoreLocation,
  { missing = 'throw' }: { missing?: 'throw' | 'empty' } = {},
): Promise<StoreReader> {
  return where.databaseUrl ? openPostgresReader(where.databaseUrl) : openSqliteReader(where.dataDir, missing);
}

function openSqliteReader(dataDir: string, missing: 'throw' | 'empty'): StoreReader {
  const opened = new Map<DatabaseService, Database.Database | undefined>();
  const dbOf = (service: DatabaseService) => {
    if (!opened.has(service)) {
      try {
        opened.set(service, new Database(join(dataDir, `${service}.db`), { readonly: true, fileMustExist: true }));
      } catch (error) {
        if (missing === 'throw') throw error;
        opened.set(service, undefined);
      }
    }
    return opened.get(service);
  };
  return {
    kind: 'sqlite',
    all: async <T>(service: DatabaseService, sql: (table: (name: string) => string) => string, ...params: unknown[]) =>
      (dbOf(service)
        ?.prepare(sql((name) => name))
        .all(...params) ?? []) as T[],
    async close() {
      for (const db of opened.values()) db?.close();
    },
  };
}

const { builtins } = pg.types;
/** pg's own parsers, but for the types SQLite has no such thing for. */
const sqliteLike: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === builtins.BOOL) return (value: string) => (value === 't' ? 1 : 0);
    if (oid === builtins.INT8) return (value: string) => Number(value);
    if (oid === builtins.JSON || oid === builtins.JSONB) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * One connection, in one read-only snapshot of every schema: the services' states as they were
 * at one moment, which SQLite's separate files cannot give.
 */
async function openPostgresReader(url: string): Promise<StoreReader> {
  const client = new pg.Client({ connectionString: url, types: sqliteLike, application_name: 'saga-shop test reader' });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return {
    kind: 'postgres',
    async all<T>(service: DatabaseService, sql: (table: (name: string) => string) => string, ...params: unknown[]) {
      let n = 0;
      const text = sql((name) => `${service}.${name}`).replace(/\?/g, () => `$${++n}`);
      return (await client.query(text, params)).rows as T[];
    },
    async close() {
      await client.query('COMMIT').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/**
 * Every service's state, read straight from its store with plain SQL: the tests check what was
 * stored, independent of the code that stored it. The same values on SQLite and on PostgreSQL.
 */
export interface EndState {
  products: { id: string; stock: number; reserved: number; sold: number; received: number }[];
  reservations: { order_id: string; product_id: string; quantity: number; status: string }[];
  payments: {
    id: string;
    order_id: string;
    user_id: string;
    amount_cents: number;
    status: string;
    card_last4: string;
    decline_reason: string | null;
  }[];
  invoices: {
    id: string;
    order_id: string;
    user_id: string;
    total_cents: number;
    card_last4: string;
    /** JSON text. */
    lines: string;
    refunded_at: string | null;
  }[];
  orders: {
    id: string;
    user_id: string;
    status: string;
    reason: string | null;
    detail: string | null;
    total_cents: number | null;
    invoice_id: string | null;
    /** JSON text. */
    items: string;
  }[];
  history: { order_id: string; status: string }[];
  /** Each saga's status and, once it failed, the reason and detail it gave (from its stored state). */
  sagas: { order_id: string; status: string; reason: string | null; detail: string | null }[];
  users: { id: string; active: number }[];
  /** Unpublished outbox rows per database. */
  outbox: Record<string, number>;
  /** Messages handled per database, by type. */
  inbox: Record<string, Record<string, number>>;
  /** Message ids the inbox of each database holds more than once (a handled id is kept once). */
  inboxRepeats: Record<string, number>;
}

export async function readEndState(where: StoreLocation): Promise<EndState> {
  const stores = await openStores(where);
  // One statement at a time: a pg client takes no second query while one runs.
  const perService = async <T>(read: (service: DatabaseService) => Promise<T>) => {
    const values: Partial<Record<DatabaseService, T>> = {};
    for (const service of databaseServices) values[service] = await read(service);
    return values as Record<DatabaseService, T>;
  };
  const count = async (service: DatabaseService, sql: (table: (name: string) => string) => string) =>
    (await stores.all<{ n: number }>(service, sql))[0]!.n;
  const failure =
    stores.kind === 'postgres'
      ? (field: string) => `state -> 'failure' ->> '${field}'`
      : (field: string) => `state ->> '$.failure.${field}'`;
  try {
    return {
      products: await stores.all('products', (t) => `SELECT id, stock, reserved, sold, received FROM ${t('products')}`),
      reservations: await stores.all(
        'products',
        (t) => `SELECT order_id, product_id, quantity, status FROM ${t('reservations')}`,
      ),
      payments: await stores.all('payments', (t) => `SELECT * FROM ${t('payments')}`),
      invoices: await stores.all('payments', (t) => `SELECT * FROM ${t('invoices')}`),
      orders: await stores.all('orders', (t) => `SELECT * FROM ${t('orders')}`),
      history: await stores.all('orders', (t) => `SELECT order_id, status FROM ${t('order_history')} ORDER BY seq`),
      sagas: await stores.all(
        'orchestrator',
        (t) =>
          `SELECT order_id, status, ${failure('reason')} AS reason, ${failure('detail')} AS detail FROM ${t('sagas')}`,
      ),
      users: await stores.all('users', (t) => `SELECT id, active FROM ${t('users')}`),
      outbox: await perService((service) => count(service, (t) => `SELECT count(*) AS n FROM ${t('outbox')}`)),
      inboxRepeats: await perService((service) =>
        count(service, (t) => `SELECT count(*) - count(DISTINCT message_id) AS n FROM ${t('inbox')}`),
      ),
      inbox: await perService(async (service) =>
        Object.fromEntries(
          (
            await stores.all<{ type: string; n: number }>(
              service,
              (t) => `SELECT type, count(*) AS n FROM ${t('inbox')} GROUP BY type`,
            )
          ).map((row) => [row.type, row.n]),
        ),
      ),
    };
  } finally {
    await stores.close();
  }
}

/** Which of `messageIds` the service's inbox records as handled. */
export async function handledAmong(
  where: StoreLocation,
  service: DatabaseService,
  messageIds: readonly string[],
): Promise<string[]> {
  const stores = await openStores(where);
  try {
    const handled = new Set<string>();
    for (const id of messageIds) {
      const rows = await stores.all(service, (t) => `SELECT message_id FROM ${t('inbox')} WHERE message_id = ?`, id);
      if (rows.length > 0) handled.add(id);
    }
    return messageIds.filter((id) => handled.has(id));
  } finally {
    await stores.close();
  }
}

/**
 * Runs one statement that writes to `service`'s store behind the service's back, as a bug or
 * an old version might; `sql` as for `StoreReader.all`.
 */
export async function changeStore(
  where: StoreLocation,
  service: DatabaseService,
  sql: (table: (name: string) => string) => string,
  ...params: unknown[]
): Promise<void> {
  if (!where.databaseUrl) {
    const db = new Database(join(where.dataDir, `${service}.db`), { fileMustExist: true });
    try {
      db.prepare(sql((name) => name)).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: where.databaseUrl });
  await client.connect();
  try {
    let n = 0;
    await client.query(
      sql((name) => `${service}.${name}`).replace(/\?/g, () => `$${++n}`),
      params,
    );
  } finally {
    await client.end();
  }
}
