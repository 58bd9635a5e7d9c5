import { and, asc, count, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { OrderStatus } from '../../contracts';
import type { Order } from '../../contracts/rest';
import { param, preparedQueries, rowParams, setParams, type SqliteDb } from '../../db/sqlite';
import { idempotencyKeys, orderHistory, orders, type HistoryRow, type OrderRow } from './sqlite/schema';

/** An order as the API shows it, with its history (oldest first). */
export function orderOf(row: OrderRow, historyRows: readonly HistoryRow[]): Order {
  const history = historyRows.map(({ status, at, reason, detail }) => ({
    status,
    at,
    ...(reason ? { reason } : {}),
    ...(detail ? { detail } : {}),
  }));
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.detail ? { detail: row.detail } : {}),
    items: row.items,
    ...(row.totalCents !== null ? { totalCents: row.totalCents } : {}),
    ...(row.invoiceId ? { invoiceId: row.invoiceId } : {}),
    cardLast4: row.cardLast4,
    history,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const toOrder = (db: SqliteDb, row: OrderRow) => orderOf(row, queries(db).historyOf.all({ orderId: row.id }));

/** The histories of many orders in one query: a page of orders costs two queries, not one per order. */
export function historiesOf(db: SqliteDb, orderIds: readonly string[]): Map<string, HistoryRow[]> {
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
}

/** Orders whose saga has not ended: the work in flight that admission control bounds. */
export const countPending = (db: SqliteDb) => queries(db).countPending.get()!.n;

export const findOrder = (db: SqliteDb, id: string) => queries(db).findOrder.get({ id });

export function insertOrder(db: SqliteDb, row: OrderRow) {
  const { insertOrder, addHistory } = queries(db);
  insertOrder.run(row);
  addHistory.run({ orderId: row.id, status: row.status, reason: null, detail: null, at: row.createdAt });
}

/** Ends a pending order; false when it had ended already, so a repeated outcome changes nothing. */
export function endOrder(
  db: SqliteDb,
  id: string,
  outcome: Pick<OrderRow, 'status' | 'reason' | 'detail'> &
    Partial<Pick<OrderRow, 'items' | 'totalCents' | 'invoiceId'>>,
  now: Date,
): boolean {
  const at = now.toISOString();
  const { confirm, cancel, addHistory } = queries(db);
  const ended = (
    outcome.status === 'CONFIRMED'
      ? confirm.run({ id, updatedAt: at, ...outcome, items: JSON.stringify(outcome.items) })
      : cancel.run({ id, updatedAt: at, ...outcome })
  ) as { changes: number };
  if (ended.changes === 0) return false;
  addHistory.run({ orderId: id, status: outcome.status, reason: outcome.reason, detail: outcome.detail, at });
  return true;
}

/** Newest first. The cursor is the last order's id; ties on createdAt are broken by id. */
export function listOrders(
  db: SqliteDb,
  limit: number,
  filter: { userId?: string; status?: OrderStatus },
  after?: string,
) {
  const from = after ? findOrder(db, after) : undefined;
  return db
    .select()
    .from(orders)
    .where(
      and(
        filter.userId ? eq(orders.userId, filter.userId) : undefined,
        filter.status ? eq(orders.status, filter.status) : undefined,
        from
          ? or(lt(orders.createdAt, from.createdAt), and(eq(orders.createdAt, from.createdAt), lt(orders.id, from.id)))
          : undefined,
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit)
    .all();
}

export const findIdempotencyKey = (db: SqliteDb, userId: string, key: string) =>
  queries(db).findIdempotencyKey.get({ userId, key });

export const insertIdempotencyKey = (db: SqliteDb, row: typeof idempotencyKeys.$inferInsert) =>
  queries(db).insertIdempotencyKey.run(row);

/** Forgets up to `limit` idempotency keys made before `cutoff`, oldest first; how many it forgot. */
export const forgetIdempotencyKeysBefore = (db: SqliteDb, cutoff: Date, limit: number): number =>
  (queries(db).forgetIdempotencyKeys.run({ cutoff: cutoff.toISOString(), limit }) as { changes: number }).changes;

/** Adds a note to an order's history without changing its status. */
export function noteOnHistory(
  db: SqliteDb,
  order: Pick<OrderRow, 'id' | 'status' | 'reason'>,
  detail: string,
  now: Date,
) {
  queries(db).addHistory.run({
    orderId: order.id,
    status: order.status,
    reason: order.reason,
    detail,
    at: now.toISOString(),
  });
}

/** What placing an order and every saga outcome run, built once per connection. */
const queries = preparedQueries((db) => {
  const pending = and(eq(orders.id, param('id')), eq(orders.status, 'PENDING'));
  return {
    countPending: db.select({ n: count() }).from(orders).where(eq(orders.status, 'PENDING')).prepare(),
    insertOrder: db.insert(orders).values(rowParams(orders)).prepare(),
    findOrder: db
      .select()
      .from(orders)
      .where(eq(orders.id, param('id')))
      .prepare(),
    findIdempotencyKey: db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, param('userId')), eq(idempotencyKeys.key, param('key'))))
      .prepare(),
    insertIdempotencyKey: db.insert(idempotencyKeys).values(rowParams(idempotencyKeys)).prepare(),
    forgetIdempotencyKeys: db
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
      .prepare(),
    historyOf: db
      .select()
      .from(orderHistory)
      .where(eq(orderHistory.orderId, param('orderId')))
      .orderBy(asc(orderHistory.seq))
      .prepare(),
    confirm: db
      .update(orders)
      .set(setParams('status', 'reason', 'detail', 'items', 'totalCents', 'invoiceId', 'updatedAt'))
      .where(pending)
      .prepare(),
    cancel: db
      .update(orders)
      .set(setParams('status', 'reason', 'detail', 'updatedAt'))
      .where(pending)
      .prepare(),
    addHistory: db.insert(orderHistory).values(rowParams(orderHistory, 'seq')).prepare(),
  };
});
