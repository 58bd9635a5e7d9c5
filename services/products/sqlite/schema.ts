import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export { inbox, outbox } from '../../../broker/messaging/sqlite/tables';

export const products = sqliteTable('products', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  priceCents: integer('price_cents').notNull(),
  /** Units available to reserve. */
  stock: integer('stock').notNull(),
  reserved: integer('reserved').notNull(),
  sold: integer('sold').notNull(),
  /** Every unit ever put on the shelf (initial stock plus restocks): the conservation check's left side. */
  received: integer('received').notNull(),
  archivedAt: text('archived_at'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});
export type ProductRow = typeof products.$inferSelect;

/** One row per order line: what an order holds, so release and commit act once per reservation. */
export const reservations = sqliteTable(
  'reservations',
  {
    orderId: text('order_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** The product's name and price when reserved: what the order and its invoice show. */
    name: text('name').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    status: text('status', { enum: ['reserved', 'committed', 'released'] }).notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.orderId, table.productId] })],
);
export type ReservationRow = typeof reservations.$inferSelect;

/** An order whose reservation was refused, and why: a resent ReserveStock gets the same answer. */
export const stockRejections = sqliteTable('stock_rejections', {
  orderId: text('order_id').primaryKey(),
  productId: text('product_id').notNull(),
  reason: text('reason', { enum: ['OUT_OF_STOCK', 'UNKNOWN_PRODUCT'] }).notNull(),
  rejectedAt: text('rejected_at').notNull(),
});
export type StockRejectionRow = typeof stockRejections.$inferSelect;

/**
 * An order released before anything was reserved for it: the saga undoes a reservation whose
 * answer it never got, so a ReserveStock for this order that arrives later is refused.
 */
export const releasedUnreserved = sqliteTable('released_unreserved', {
  orderId: text('order_id').primaryKey(),
  releasedAt: text('released_at').notNull(),
});
