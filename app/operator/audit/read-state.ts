import { existsSync } from 'node:fs';
import SqliteClient from 'better-sqlite3';
import type { Database, PlainQuery } from '../../../db/database';
import { AuditedService, AuditSnapshot } from '../../../contracts/rest';
import { databaseFile, sqliteSnapshot } from '../../../db/sqlite';
import type { AuditState } from './violations';

/**
 * What the audit checks, read with plain SQL from each service's own database: the running
 * service's connection (`GET /audit/{service}`) or its file under DATA_DIR (`--data-dir`).
 */
type Queries = (query: PlainQuery) => Promise<AuditSnapshot>;

// Aliases are quoted: PostgreSQL folds an unquoted one to lower case.
const queries: Record<AuditedService, Queries> = {
  orders: async (query) => ({
    orders: (await query('SELECT id, status FROM orders')) as AuditState['orders'],
    history: (await query(
      'SELECT order_id AS "orderId", status FROM order_history ORDER BY seq',
    )) as AuditState['history'],
  }),
  orchestrator: async (query) => ({
    sagas: (await query('SELECT order_id AS "orderId", status FROM sagas')) as AuditState['sagas'],
  }),
  products: async (query) => ({
    products: (await query('SELECT id, stock, reserved, sold, received FROM products')) as AuditState['products'],
    reservations: (await query(
      'SELECT order_id AS "orderId", product_id AS "productId", quantity, status FROM reservations',
    )) as AuditState['reservations'],
  }),
  payments: async (query) => ({
    payments: (await query('SELECT id, order_id AS "orderId", status FROM payments')) as AuditState['payments'],
  }),
};

/** One service's rows, in one read: a moment of that service. */
export const readSnapshot = (service: AuditedService, database: Pick<Database<unknown>, 'snapshot'>) =>
  database.snapshot(queries[service]);

/** The state read one service after the other in `auditReads`' order, each by `snapshotOf`. */
export async function readAuditStateWith(
  snapshotOf: (service: AuditedService, read: (query: PlainQuery) => Promise<AuditSnapshot>) => Promise<AuditSnapshot>,
): Promise<AuditState> {
  const snapshots: AuditSnapshot[] = [];
  for (const service of auditReads) snapshots.push(await snapshotOf(service, queries[service]));
  return auditState(snapshots);
}

/**
 * The reads of one audit, one service after the other in this order. Orders first: whatever an
 * order's end implies (its saga ended, its stock committed or released, its payment settled or
 * refunded) has already happened in what is read after it, so a shop at work shows no false
 * violation. Orders again last: an order placed during the audit is unknown to the first read,
 * yet its reservation or payment may be in a later one.
 */
export const auditReads: readonly AuditedService[] = [...AuditedService.options, 'orders'];

/** The state from the snapshots of `auditReads`, in its order. */
export function auditState(snapshots: readonly AuditSnapshot[]): AuditState {
  const state: AuditSnapshot = Object.assign({}, ...snapshots.slice(0, -1));
  const missing = Object.keys(AuditSnapshot.shape).filter((key) => !(key in state));
  if (missing.length > 0) throw new Error(`the audit got no ${missing.join(', ')}`);
  const known = new Set(state.orders!.map((order) => order.id));
  // Pending as far as the reads before it know: whether it ended well is the next audit's to check.
  const placedSince = (snapshots.at(-1)?.orders ?? [])
    .filter((order) => !known.has(order.id))
    .map(({ id }) => ({ id, status: 'PENDING' }));
  return { ...state, orders: [...state.orders!, ...placedSince] } as AuditState;
}

/** The state from the SQLite files under `dataDir`, read-only: the files may be a running shop's. */
export function readAuditState(dataDir: string): Promise<AuditState> {
  return readAuditStateWith(async (service, read) => {
    const path = databaseFile(dataDir, service);
    if (!existsSync(path)) throw new Error(`no ${service}.db in ${dataDir}: is it the shop's DATA_DIR?`);
    const client = new SqliteClient(path, { readonly: true, fileMustExist: true });
    try {
      return await sqliteSnapshot(client, read);
    } finally {
      client.close();
    }
  });
}
