import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Invoice } from '../../contracts/rest';
import { param, preparedQueries, rowParams, type SqliteDb } from '../../db/sqlite';
import { invoices, payments, refundedUncharged, type InvoiceRow, type PaymentRow } from './sqlite/schema';

export const toInvoice = ({ refundedAt, ...row }: InvoiceRow): Invoice => ({
  ...row,
  ...(refundedAt ? { refundedAt } : {}),
});

export const paymentOf = (db: SqliteDb, orderId: string) => queries(db).paymentOf.get({ orderId });

export const insertPayment = (db: SqliteDb, row: PaymentRow) => queries(db).insertPayment.run(row);

/** The payment is refunded and its invoice, kept for the books, says since when. */
export function markRefunded(db: SqliteDb, payment: PaymentRow, now: Date): void {
  const at = now.toISOString();
  db.update(payments).set({ status: 'refunded', updatedAt: at }).where(eq(payments.id, payment.id)).run();
  if (payment.invoiceId) db.update(invoices).set({ refundedAt: at }).where(eq(invoices.id, payment.invoiceId)).run();
}

export const wasRefundedUncharged = (db: SqliteDb, orderId: string) =>
  queries(db).refundedUncharged.get({ orderId }) !== undefined;

export const recordRefundedUncharged = (db: SqliteDb, orderId: string, now: Date) =>
  db.insert(refundedUncharged).values({ orderId, refundedAt: now.toISOString() }).onConflictDoNothing().run();

export const insertInvoice = (db: SqliteDb, row: InvoiceRow) => queries(db).insertInvoice.run(row);

export const invoiceById = (db: SqliteDb, id: string) => db.select().from(invoices).where(eq(invoices.id, id)).get();

/** The invoice of an order that stands: a refunded one no longer belongs to its (cancelled) order. */
export const invoiceOfOrder = (db: SqliteDb, orderId: string) =>
  db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orderId, orderId), isNull(invoices.refundedAt)))
    .get();

/** Newest first; the cursor is the last invoice's id, resolved to its position. Ties on issuedAt are broken by id. */
export function listInvoices(db: SqliteDb, limit: number, userId: string | undefined, after?: string) {
  const from = after ? invoiceById(db, after) : undefined;
  return db
    .select()
    .from(invoices)
    .where(
      and(
        userId ? eq(invoices.userId, userId) : undefined,
        from
          ? or(
              lt(invoices.issuedAt, from.issuedAt),
              and(eq(invoices.issuedAt, from.issuedAt), lt(invoices.id, from.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(invoices.issuedAt), desc(invoices.id))
    .limit(limit)
    .all();
}

/** What every payment command runs, built once per connection. */
const queries = preparedQueries((db) => ({
  paymentOf: db
    .select()
    .from(payments)
    .where(eq(payments.orderId, param('orderId')))
    .prepare(),
  insertPayment: db.insert(payments).values(rowParams(payments)).prepare(),
  insertInvoice: db.insert(invoices).values(rowParams(invoices)).prepare(),
  refundedUncharged: db
    .select()
    .from(refundedUncharged)
    .where(eq(refundedUncharged.orderId, param('orderId')))
    .prepare(),
}));
