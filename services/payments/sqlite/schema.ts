import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { PricedLine } from '../../../contracts';

export { inbox, outbox } from '../../../broker/messaging/sqlite/tables';

/** One charge attempt per order. Only the card's last four digits are ever stored. */
export const payments = sqliteTable('payments', {
  id: text('id').primaryKey(),
  orderId: text('order_id').notNull().unique(),
  userId: text('user_id').notNull(),
  amountCents: integer('amount_cents').notNull(),
  cardLast4: text('card_last4').notNull(),
  status: text('status', { enum: ['settled', 'declined', 'refunded'] }).notNull(),
  declineReason: text('decline_reason', { enum: ['card_declined', 'insufficient_funds'] }),
  invoiceId: text('invoice_id'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});
export type PaymentRow = typeof payments.$inferSelect;

export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull().unique(),
    userId: text('user_id').notNull(),
    lines: text('lines', { mode: 'json' }).$type<PricedLine[]>().notNull(),
    totalCents: integer('total_cents').notNull(),
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
export type InvoiceRow = typeof invoices.$inferSelect;

/**
 * An order refunded before it was ever charged: the saga undoes a charge whose answer it never
 * got, so a SettlePayment for this order that arrives later is refused.
 */
export const refundedUncharged = sqliteTable('refunded_uncharged', {
  orderId: text('order_id').primaryKey(),
  refundedAt: text('refunded_at').notNull(),
});
