import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Every service's state, read straight from its SQLite file with plain SQL: the tests check
 * what was stored, independent of the code that stored it.
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

const files = ['users', 'products', 'orders', 'payments', 'orchestrator'] as const;

export function readEndState(dataDir: string): EndState {
  const dbs = Object.fromEntries(
    files.map((name) => [name, new Database(join(dataDir, `${name}.db`), { readonly: true, fileMustExist: true })]),
  ) as Record<(typeof files)[number], Database.Database>;
  const all = <T>(db: Database.Database, sql: string) => db.prepare(sql).all() as T[];
  try {
    return {
      products: all(dbs.products, 'SELECT id, stock, reserved, sold, received FROM products'),
      reservations: all(dbs.products, 'SELECT order_id, product_id, quantity, status FROM reservations'),
      payments: all(dbs.payments, 'SELECT * FROM payments'),
      invoices: all(dbs.payments, 'SELECT * FROM invoices'),
      orders: all(dbs.orders, 'SELECT * FROM orders'),
      history: all(dbs.orders, 'SELECT order_id, status FROM order_history ORDER BY seq'),
      sagas: all(
        dbs.orchestrator,
        `SELECT order_id, status, state ->> '$.failure.reason' AS reason, state ->> '$.failure.detail' AS detail
         FROM sagas`,
      ),
      users: all(dbs.users, 'SELECT id, active FROM users'),
      outbox: Object.fromEntries(
        files.map((name) => [name, (dbs[name].prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n]),
      ),
      inboxRepeats: Object.fromEntries(
        files.map((name) => [
          name,
          (dbs[name].prepare('SELECT count(*) - count(DISTINCT message_id) AS n FROM inbox').get() as { n: number }).n,
        ]),
      ),
      inbox: Object.fromEntries(
        files.map((name) => [
          name,
          Object.fromEntries(
            all<{ type: string; n: number }>(dbs[name], 'SELECT type, count(*) AS n FROM inbox GROUP BY type').map(
              (row) => [row.type, row.n],
            ),
          ),
        ]),
      ),
    };
  } finally {
    for (const db of Object.values(dbs)) db.close();
  }
}

/** Which of `messageIds` the service's inbox records as handled. */
export function handledAmong(
  dataDir: string,
  service: (typeof files)[number],
  messageIds: readonly string[],
): string[] {
  const db = new Database(join(dataDir, `${service}.db`), { readonly: true, fileMustExist: true });
  try {
    const find = db.prepare('SELECT message_id AS id FROM inbox WHERE message_id = ?').pluck();
    return messageIds.filter((id) => find.get(id) !== undefined);
  } finally {
    db.close();
  }
}
