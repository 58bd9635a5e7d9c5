import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { postgresMessagingStore } from '../../../broker/messaging/postgres/store';
import { type PostgresDb, type PostgresStoreParts } from '../../../db/postgres';
import { olderThan, param, rowParams, setParams } from '../../../db/statements';
import type { HistoryRow, OrdersStore } from '../store';
import * as schema from './schema';
import { accountStatus, idempotencyKeys, orderHistory, orders } from './schema';

/** The orders service's store on one PostgreSQL connection. */
export function postgresOrdersStore(db: PostgresDb<typeof schema>): OrdersStore {
  /**
   * Orders are placed one at a time, whichever connection or instance takes them, as SQLite's
   * single writer places them: each placement reads (its Idempotency-Key, the pending count) and
   * then writes what those reads decide. Under READ COMMITTED two placements side by side would
   * both find the key free (the second then failing on its primary key, a 500) and both count
   * the same pending orders (admitting more than MAX_PENDING_ORDERS). So each of those reads
   * first takes this lock, held until the transaction ends; the read after it, a statement of
   * its own, sees every placement committed before. Outside a transaction (/health) it is
   * released at once.
   */
  const placing = () => db.$client.query({ name: 'orders_placing_lock', text: PLACING_LOCK });
  // What placing an order and every saga outcome run.
  const pending = and(eq(orders.id, param('id')), eq(orders.status, 'PENDING'));
  const countPending = db
    .select({ n: count() })
    .from(orders)
    .where(eq(orders.status, 'PENDING'))
    .prepare('orders_count_pending');
  const insertOrder = db.insert(orders).values(rowParams(orders)).prepare('orders_insert');
  const findOrder = db
    .select()
    .from(orders)
    .where(eq(orders.id, param('id')))
    .prepare('orders_find');
  const findIdempotencyKey = db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, param('userId')), eq(idempotencyKeys.key, param('key'))))
    .prepare('idempotency_keys_find');
  const insertIdempotencyKey = db
    .insert(idempotencyKeys)
    .values(rowParams(idempotencyKeys))
    .prepare('idempotency_keys_insert');
  // Rows are found by their physical address: the key is two columns.
  const forgetIdempotencyKeys = db
    .delete(idempotencyKeys)
    .where(
      inArray(
        sql`ctid`,
        db
          .select({ ctid: sql`ctid` })
          .from(idempotencyKeys)
          .where(lt(idempotencyKeys.createdAt, param('cutoff')))
          .orderBy(asc(idempotencyKeys.createdAt))
          .limit(param('limit')),
      ),
    )
    .returning({ key: idempotencyKeys.key })
    .prepare('idempotency_keys_forget');
  const historyOf = db
    .select()
    .from(orderHistory)
    .where(eq(orderHistory.orderId, param('orderId')))
    .orderBy(asc(orderHistory.seq))
    .prepare('order_history_of');
  const confirm = db
    .update(orders)
    .set(setParams('status', 'reason', 'detail', 'items', 'totalCents', 'invoiceId', 'updatedAt'))
    .where(pending)
    .returning({ id: orders.id })
    .prepare('orders_confirm');
  const cancel = db
    .update(orders)
    .set(setParams('status', 'reason', 'detail', 'updatedAt'))
    .where(pending)
    .returning({ id: orders.id })
    .prepare('orders_cancel');
  const addHistory = db.insert(orderHistory).values(rowParams(orderHistory, 'seq')).prepare('order_history_add');
  // Every order placed and cancelled asks.
  const statusOf = db
    .select()
    .from(accountStatus)
    .where(eq(accountStatus.userId, param('userId')))
    .prepare('account_status_of');

  return {
    ...postgresMessagingStore(db),
    async findOrder(id) {
      return (await findOrder.execute({ id }))[0];
    },
    async insertOrder(row) {
      await insertOrder.execute(row);
      await addHistory.execute({ orderId: row.id, status: row.status, reason: null, detail: null, at: row.createdAt });
    },
    async endOrder(id, outcome, now) {
      const at = now.toISOString();
      const ended =
        outcome.status === 'CONFIRMED'
          ? await confirm.execute({ id, updatedAt: at, ...outcome, items: JSON.stringify(outcome.items) })
          : await cancel.execute({ id, updatedAt: at, ...outcome });
      if (ended.length === 0) return false;
      await addHistory.execute({
        orderId: id,
        status: outcome.status,
        reason: outcome.reason,
        detail: outcome.detail,
        at,
      });
      return true;
    },
    async noteOnHistory(order, detail, now) {
      await addHistory.execute({
        orderId: order.id,
        status: order.status,
        reason: order.reason,
        detail,
        at: now.toISOString(),
      });
    },
    async historyOf(orderId) {
      return historyOf.execute({ orderId });
    },
    async historiesOf(orderIds) {
      const histories = new Map<string, HistoryRow[]>(orderIds.map((id) => [id, []]));
      if (orderIds.length === 0) return histories;
      const rows = await db
        .select()
        .from(orderHistory)
        .where(inArray(orderHistory.orderId, [...orderIds]))
        .orderBy(asc(orderHistory.seq));
      for (const row of rows) histories.get(row.orderId)!.push(row);
      return histories;
    },
    async listOrders(limit, filter, after) {
      const from = after ? (await findOrder.execute({ id: after }))[0] : undefined;
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
        .limit(limit);
    },
    async countPending() {
      await placing();
      return (await countPending.execute())[0]!.n;
    },
    async orderGroups() {
      return db
        .select({
          status: orders.status,
          reason: orders.reason,
          count: count(),
          totalCents: sql<number>`coalesce(sum(${orders.totalCents}), 0)`.mapWith(Number),
        })
        .from(orders)
        .groupBy(orders.status, orders.reason);
    },
    async findIdempotencyKey(userId, key) {
      await placing();
      return (await findIdempotencyKey.execute({ userId, key }))[0];
    },
    async insertIdempotencyKey(row) {
      await insertIdempotencyKey.execute(row);
    },
    async forgetIdempotencyKeysBefore(cutoff, limit) {
      return (await forgetIdempotencyKeys.execute({ cutoff: cutoff.toISOString(), limit })).length;
    },
    async accountStatusOf(userId) {
      return (await statusOf.execute({ userId }))[0];
    },
    async saveAccountStatus(row) {
      await db
        .insert(accountStatus)
        .values(row)
        .onConflictDoUpdate({
          target: accountStatus.userId,
          set: { active: row.active, version: row.version, updatedAt: row.updatedAt },
          setWhere: sql`${accountStatus.version} < ${row.version}`,
        });
    },
  };
}

const PLACING_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('saga-shop orders placing', 0))";

/** The PostgreSQL store of orders: its schema, its migrations beside this file, and the store. */
export const ordersPostgres: PostgresStoreParts<typeof schema, OrdersStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: postgresOrdersStore,
};
