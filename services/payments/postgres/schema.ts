import { bigint, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { PricedLine } from '../../../contracts';

export { inbox, outbox } from '../../../broker/messaging/postgres/tables';

/** The payments service's tables on PostgreSQL: those of ../sqlite/schema.ts, row for row. */

/** One charge attempt per order. Only the card's last four digits are ever stored. */
export const payments = pgTable('payments', {
  id: text('id').primaryKey(),
  orderId: text('order_id').notNull().unique(),
  userId: text('user_id').notNull(),
  amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
  cardLast4: text('card_last4').notNull(),
  status: text('status', { enum: ['settled', 'declined', 'refunded'] }).notNull(),
  declineReason: text('decline_reason', { enum: ['card_declined', 'insufficient_funds'] }),
  invoiceId: text('invoice_id'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const invoices = pgTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull().unique(),
    userId: text('user_id').notNull(),
    lines: jsonb('lines').$type<PricedLine[]>().notNull(),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    cardLast4: text('card_last4').notNull(),
    issuedAt: text('issued_at').notNull(),
    /** Set when the payment is refunded: the invoice stays in the books, but no order has it any more. */
    refundedAt: text('refunded_at'),
  },
  (table) => [
    index('invoices_user_issued').on(table.userId, table.issuedAt),
    // The admin's list of every invoice, newest first.
    index('invoices_issued').on(table.issuedAt, table.id),
  ],
);

/** An order refunded before it was ever charged: a SettlePayment arriving later is refused. */
export const refundedUncharged = pgTable('refunded_uncharged', {
  orderId: text('order_id').primaryKey(),
  refundedAt: text('refunded_at').notNull(),
});
