import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { CancelReason, OrderStatus } from '../../../contracts';
import type { Order } from '../../../contracts/rest';

export { inbox, outbox } from '../../../broker/messaging/sqlite/tables';

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    reason: text('reason').$type<CancelReason>(),
    detail: text('detail'),
    items: text('items', { mode: 'json' }).$type<Order['items']>().notNull(),
    totalCents: integer('total_cents'),
    invoiceId: text('invoice_id'),
    cardLast4: text('card_last4').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  // Each listing reads only the rows it answers with: the filters it takes are the leading
  // columns of its index, newest first after them.
  (table) => [
    index('orders_user_created').on(table.userId, table.createdAt),
    index('orders_user_status_created').on(table.userId, table.status, table.createdAt),
    index('orders_created').on(table.createdAt),
    // Admission control counts the pending orders on every POST.
    index('orders_status_created').on(table.status, table.createdAt),
  ],
);
export type OrderRow = typeof orders.$inferSelect;

export const orderHistory = sqliteTable(
  'order_history',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    orderId: text('order_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    reason: text('reason').$type<CancelReason>(),
    detail: text('detail'),
    at: text('at').notNull(),
  },
  (table) => [index('order_history_order').on(table.orderId)],
);
export type HistoryRow = typeof orderHistory.$inferSelect;

/**
 * Idempotency keys are per buyer and kept in the database, so they survive a restart; each for
 * IDEMPOTENCY_RETENTION_MS, after which the same key places a new order.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    orderId: text('order_id').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.key] }),
    index('idempotency_keys_created').on(table.createdAt),
  ],
);

/**
 * Orders' copy of each account's status, fed by UserDeactivated/UserReactivated: orders refuses a
 * deactivated account's new orders without a synchronous call to users. No row: never deactivated.
 */
export const accountStatus = sqliteTable('account_status', {
  userId: text('user_id').primaryKey(),
  active: integer('active', { mode: 'boolean' }).notNull(),
  /** The users service's `statusVersion` of the change: an older event never overwrites a newer one. */
  version: integer('version').notNull(),
  updatedAt: text('updated_at').notNull(),
});
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
export type AccountStatusRow = typeof accountStatus.$inferSelect;
