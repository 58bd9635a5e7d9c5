import type { MessagingStore } from '../../broker/messaging/store';
import type { Invoice } from '../../contracts/rest';
import type { InvoiceRow, PaymentRow } from './sqlite/schema';

export type { InvoiceRow, PaymentRow };

/** What the payments service keeps: one payment per order, its invoice, and the refunds of orders never charged. */
export interface PaymentsStore extends MessagingStore {
  paymentOf(orderId: string): Promise<PaymentRow | undefined>;
  insertPayment(row: PaymentRow): Promise<void>;
  insertInvoice(row: InvoiceRow): Promise<void>;
  /** The payment is refunded and its invoice, kept for the books, says since when. */
  markRefunded(payment: PaymentRow, now: Date): Promise<void>;
  wasRefundedUncharged(orderId: string): Promise<boolean>;
  recordRefundedUncharged(orderId: string, now: Date): Promise<void>;
  invoiceById(id: string): Promise<InvoiceRow | undefined>;
  /** The invoice of an order that stands: a refunded one no longer belongs to its (cancelled) order. */
  invoiceOfOrder(orderId: string): Promise<InvoiceRow | undefined>;
  /** Newest first, of one buyer or all; the cursor is the last invoice's id. Ties on issuedAt are broken by id. */
  listInvoices(limit: number, userId: string | undefined, after?: string): Promise<InvoiceRow[]>;
}

export const toInvoice = ({ refundedAt, ...row }: InvoiceRow): Invoice => ({
  ...row,
  ...(refundedAt ? { refundedAt } : {}),
});
