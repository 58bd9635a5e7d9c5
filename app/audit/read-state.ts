import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditState } from './violations';

/**
 * What the audit checks, read from the SQLite files under `dataDir`, read-only and with plain
 * SQL. The files may belong to a running shop: orders is read first, so whatever an order's
 * end implies (its saga ended, its stock committed or released, its payment settled or
 * refunded) has already happened in the files read after it.
 */
export function readAuditState(dataDir: string): AuditState {
  const read = <T>(file: string, queries: (db: Database.Database) => T): T => {
    const path = join(dataDir, `${file}.db`);
    if (!existsSync(path)) throw new Error(`no ${file}.db in ${dataDir}: is it the shop's DATA_DIR?`);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.transaction(() => queries(db))();
    } finally {
      db.close();
    }
  };
  const { orders, history } = read('orders', (db) => ({
    orders: db.prepare('SELECT id, status FROM orders').all() as AuditState['orders'],
    history: db
      .prepare('SELECT order_id AS orderId, status FROM order_history ORDER BY seq')
      .all() as AuditState['history'],
  }));
  const sagas = read(
    'orchestrator',
    (db) => db.prepare('SELECT order_id AS orderId, status FROM sagas').all() as AuditState['sagas'],
  );
  const { products, reservations } = read('products', (db) => ({
    products: db.prepare('SELECT id, stock, reserved, sold, received FROM products').all() as AuditState['products'],
    reservations: db
      .prepare('SELECT order_id AS orderId, product_id AS productId, quantity, status FROM reservations')
      .all() as AuditState['reservations'],
  }));
  const payments = read(
    'payments',
    (db) => db.prepare('SELECT id, order_id AS orderId, status FROM payments').all() as AuditState['payments'],
  );
  return { orders, history, sagas, products, reservations, payments };
}
