import type { MessagingStore } from '../../broker/messaging/store';
import type { CancelReason, OrderStatus } from '../../contracts';
import type { Order } from '../../contracts/rest';
import type { AccountStatusRow, HistoryRow, IdempotencyKeyRow, OrderRow } from './sqlite/schema';

export type { AccountStatusRow, HistoryRow, IdempotencyKeyRow, OrderRow };

/** How an order ends: its status and why, and for a confirmed one what it came to. */
export type OrderOutcome = Pick<OrderRow, 'status' | 'reason' | 'detail'> &
  Partial<Pick<OrderRow, 'items' | 'totalCents' | 'invoiceId'>>;

/** How many orders per status and reason, and what they add up to. */
export interface OrderGroup {
  status: OrderStatus;
  reason: CancelReason | null;
  count: number;
  totalCents: number;
}

/** What the orders service keeps: the orders and their history, idempotency keys, and what it heard of accounts. */
export interface OrdersStore extends MessagingStore {
  findOrder(id: string): Promise<OrderRow | undefined>;
  /** Inserts the order and the first entry of its history. */
  insertOrder(row: OrderRow): Promise<void>;
  /** Ends a pending order; false when it had ended already, so a repeated outcome changes nothing. */
  endOrder(id: string, outcome: OrderOutcome, now: Date): Promise<boolean>;
  /** Adds a note to an order's history without changing its status. */
  noteOnHistory(order: Pick<OrderRow, 'id' | 'status' | 'reason'>, detail: string, now: Date): Promise<void>;
  /** An order's history, oldest first. */
  historyOf(orderId: string): Promise<HistoryRow[]>;
  /** The histories of many orders in one query: a page of orders costs two queries, not one per order. */
  historiesOf(orderIds: readonly string[]): Promise<Map<string, HistoryRow[]>>;
  /** Newest first. The cursor is the last order's id; ties on createdAt are broken by id. */
  listOrders(limit: number, filter: { userId?: string; status?: OrderStatus }, after?: string): Promise<OrderRow[]>;
  /** Orders whose saga has not ended: the work in flight that admission control bounds. */
  countPending(): Promise<number>;
  orderGroups(): Promise<OrderGroup[]>;

  findIdempotencyKey(userId: string, key: string): Promise<IdempotencyKeyRow | undefined>;
  insertIdempotencyKey(row: IdempotencyKeyRow): Promise<void>;
  /** Forgets up to `limit` idempotency keys made before `cutoff`, oldest first; how many it forgot. */
  forgetIdempotencyKeysBefore(cutoff: Date, limit: number): Promise<number>;

  accountStatusOf(userId: string): Promise<AccountStatusRow | undefined>;
  /** Keeps `row` unless a newer version of the account's status is kept already. */
  saveAccountStatus(row: AccountStatusRow): Promise<void>;
}

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

export const toOrder = async (store: OrdersStore, row: OrderRow) => orderOf(row, await store.historyOf(row.id));
