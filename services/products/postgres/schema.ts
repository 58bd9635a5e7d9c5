import { bigint, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export { inbox, outbox } from '../../../broker/messaging/postgres/tables';

/**
 * The products service's tables on PostgreSQL: those of ../sqlite/schema.ts, row for row. Amounts
 * and unit counts are bigint, as SQLite's integers are 64-bit: a price times a quantity the
 * contract allows passes 2^31.
 */

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
  /** Units available to reserve. */
  stock: bigint('stock', { mode: 'number' }).notNull(),
  reserved: bigint('reserved', { mode: 'number' }).notNull(),
  sold: bigint('sold', { mode: 'number' }).notNull(),
  /** Every unit ever put on the shelf (initial stock plus restocks): the conservation check's left side. */
  received: bigint('received', { mode: 'number' }).notNull(),
  archivedAt: text('archived_at'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** One row per order line: what an order holds, so release and commit act once per reservation. */
export const reservations = pgTable(
  'reservations',
  {
    orderId: text('order_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** The product's name and price when reserved: what the order and its invoice show. */
    name: text('name').notNull(),
    unitPriceCents: bigint('unit_price_cents', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['reserved', 'committed', 'released'] }).notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.orderId, table.productId] })],
);

/** An order whose reservation was refused, and why: a resent ReserveStock gets the same answer. */
export const stockRejections = pgTable('stock_rejections', {
  orderId: text('order_id').primaryKey(),
  productId: text('product_id').notNull(),
  reason: text('reason', { enum: ['OUT_OF_STOCK', 'UNKNOWN_PRODUCT'] }).notNull(),
  rejectedAt: text('rejected_at').notNull(),
});

/** An order released before anything was reserved for it: a ReserveStock arriving later is refused. */
export const releasedUnreserved = pgTable('released_unreserved', {
  orderId: text('order_id').primaryKey(),
  releasedAt: text('released_at').notNull(),
});
