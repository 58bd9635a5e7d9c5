import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { CancelReason, OrderStatus } from '../../../contracts';
import type { Order } from '../../../contracts/rest';

export { inbox, outbox } from '../../../broker/messaging/postgres/tables';

/** The orders service's tables on PostgreSQL: those of ../sqlite/schema.ts, row for row. */

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    reason: text('reason').$type<CancelReason>(),
    detail: text('detail'),
    items: jsonb('items').$type<Order['items']>().notNull(),
    totalCents: bigint('total_cents', { mode: 'number' }),
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

export const orderHistory = pgTable(
  'order_history',
  {
    // bigint: numbers every status change ever made; mode number keeps SQLite's row type.
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    orderId: text('order_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    reason: text('reason').$type<CancelReason>(),
    detail: text('detail'),
    at: text('at').notNull(),
  },
  (table) => [index('order_history_order').on(table.orderId)],
);

/** Idempotency keys per buyer, kept for IDEMPOTENCY_RETENTION_MS. */
export const idempotencyKeys = pgTable(
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

/** Orders' copy of each account's status, fed by UserDeactivated/UserReactivated. No row: never deactivated. */
export const accountStatus = pgTable('account_status', {
  userId: text('user_id').primaryKey(),
  active: boolean('active').notNull(),
  /** The users service's `statusVersion` of the change: an older event never overwrites a newer one. */
  version: integer('version').notNull(),
  updatedAt: text('updated_at').notNull(),
});
