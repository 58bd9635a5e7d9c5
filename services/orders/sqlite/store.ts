import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { sqliteMessagingStore } from '../../../broker/messaging/sqlite/store';
import { changes, type SqliteStoreParts } from '../../../db/sqlite';
import { olderThan, param, rowParams, setParams } from '../../../db/statements';
import type { HistoryRow, OrdersStore } from '../store';
import * as schema from './schema';
import { accountStatus, idempotencyKeys, orderHistory, orders } from './schema';

/** The orders service's store on its SQLite connection. */
export function sqliteOrdersStore(db: BetterSQLite3Database<typeof schema>): OrdersStore {
  // What placing an order and every saga outcome run.
  const pending = and(eq(orders.id, param('id')), eq(orders.status, 'PENDING'));
  const countPending = db.select({ n: count() }).from(orders).where(eq(orders.status, 'PENDING')).prepare();
  const insertOrder = db.insert(orders).values(rowParams(orders)).prepare();
  const findOrder = db
    .select()
    .from(orders)
    .where(eq(orders.id, param('id')))
    .prepare();
  const findIdempotencyKey = db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, param('userId')), eq(idempotencyKeys.key, param('key'))))
    .prepare();
  const insertIdempotencyKey = db.insert(idempotencyKeys).values(rowParams(idempotencyKeys)).prepare();
  const forgetIdempotencyKeys = db
    .delete(idempotencyKeys)
    .where(
      inArray(
        sql`rowid`,
        db
          .select({ rowid: sql`rowid` })
          .from(idempotencyKeys)
          .where(lt(idempotencyKeys.createdAt, param('cutoff')))
          .orderBy(asc(idempotencyKeys.createdAt))
          .limit(param('limit')),
      ),
    )
    .prepare();
  const historyOf = db
    .select()
    .from(orderHistory)
    .where(eq(orderHistory.orderId, param('orderId')))
    .orderBy(asc(orderHistory.seq))
    .prepare();
  const confirm = db
    .update(orders)
    .set(setParams('status', 'reason', 'detail', 'items', 'totalCents', 'invoiceId', 'updatedAt'))
    .where(pending)
    .prepare();
  const cancel = db
    .update(orders)
    .set(setParams('status', 'reason', 'detail', 'updatedAt'))
    .where(pending)
    .prepare();
  const addHistory = db.insert(orderHistory).values(rowParams(orderHistory, 'seq')).prepare();
  // Every order placed and cancelled asks.
  const statusOf = db
    .select()
    .from(accountStatus)
    .where(eq(accountStatus.userId, param('userId')))
    .prepare();

  const store: OrdersStore = {
    ...sqliteMessagingStore(db),
    async findOrder(id) {
      return findOrder.get({ id });
    },
    async insertOrder(row) {
      insertOrder.run(row);
      addHistory.run({ orderId: row.id, status: row.status, reason: null, detail: null, at: row.createdAt });
    },
    async endOrder(id, outcome, now) {
      const at = now.toISOString();
      const ended =
        outcome.status === 'CONFIRMED'
          ? confirm.run({ id, updatedAt: at, ...outcome, items: JSON.stringify(outcome.items) })
          : cancel.run({ id, updatedAt: at, ...outcome });
      if (changes(ended) === 0) return false;
      addHistory.run({ orderId: id, status: outcome.status, reason: outcome.reason, detail: outcome.detail, at });
      return true;
    },
    async noteOnHistory(order, detail, now) {
      addHistory.run({ orderId: order.id, status: order.status, reason: order.reason, detail, at: now.toISOString() });
    },
    async historyOf(orderId) {
      return historyOf.all({ orderId });
    },
    async historiesOf(orderIds) {
      const histories = new Map<string, HistoryRow[]>(orderIds.map((id) => [id, []]));
      if (orderIds.length === 0) return histories;
      const rows = db
        .select()
        .from(orderHistory)
        .where(inArray(orderHistory.orderId, [...orderIds]))
        .orderBy(asc(orderHistory.seq))
        .all();
      for (const row of rows) histories.get(row.orderId)!.push(row);
      return histories;
    },
    async listOrders(limit, filter, after) {
      const from = after ? findOrder.get({ id: after }) : undefined;
      return db
        .select()
        .from(orders)
        .where(
          and(
            filter.userId ? eq(orders.userId, filter.userId) : undefined,
            filter.status ? eq(orders.status, filter.status) : undefined,
            from ? olderThan(orders.createdAt, orders.id, { time: from.createdAt, id: from.id }) : undefined,
          ),
        )
        .orderBy(desc(orders.createdAt), desc(orders.id))
        .limit(limit)
        .all();
    },
    async countPending() {
      return countPending.get()!.n;
    },
    async orderGroups() {
      return db
        .select({
          status: orders.status,
          reason: orders.reason,
          count: sql<number>`count(*)`,
          totalCents: sql<number>`coalesce(sum(${orders.totalCents}), 0)`,
        })
        .from(orders)
        .groupBy(orders.status, orders.reason)
        .all();
    },
    async findIdempotencyKey(userId, key) {
      return findIdempotencyKey.get({ userId, key });
    },
    async insertIdempotencyKey(row) {
      insertIdempotencyKey.run(row);
    },
    async forgetIdempotencyKeysBefore(cutoff, limit) {
      return changes(forgetIdempotencyKeys.run({ cutoff: cutoff.toISOString(), limit }));
    },
    async accountStatusOf(userId) {
      return statusOf.get({ userId });
    },
    async saveAccountStatus(row) {
      db.insert(accountStatus)
        .values(row)
        .onConflictDoUpdate({
          target: accountStatus.userId,
          set: { active: row.active, version: row.version, updatedAt: row.updatedAt },
          setWhere: sql`${accountStatus.version} < ${row.version}`,
        })
        .run();
    },
  };
  return store;
}

/** The SQLite store of the orders: its schema, its migrations beside this file, and the store. */
export const ordersSqlite: SqliteStoreParts<typeof schema, OrdersStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: sqliteOrdersStore,
};
