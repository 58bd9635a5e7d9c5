import { and, desc, eq, isNull } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { sqliteMessagingStore } from '../../../broker/messaging/sqlite/store';
import { type SqliteStoreParts } from '../../../db/sqlite';
import { olderThan, param, rowParams } from '../../../db/statements';
import type { PaymentsStore } from '../store';
import * as schema from './schema';
import { invoices, payments, refundedUncharged } from './schema';

/** The payments service's store on its SQLite connection. */
export function sqlitePaymentsStore(db: BetterSQLite3Database<typeof schema>): PaymentsStore {
  const paymentOf = db
    .select()
    .from(payments)
    .where(eq(payments.orderId, param('orderId')))
    .prepare();
  const insertPayment = db.insert(payments).values(rowParams(payments)).prepare();
  const insertInvoice = db.insert(invoices).values(rowParams(invoices)).prepare();
  const refundedOf = db
    .select()
    .from(refundedUncharged)
    .where(eq(refundedUncharged.orderId, param('orderId')))
    .prepare();
  const invoiceById = async (id: string) => db.select().from(invoices).where(eq(invoices.id, id)).get();

  return {
    ...sqliteMessagingStore(db),
    async paymentOf(orderId) {
      return paymentOf.get({ orderId });
    },
    async insertPayment(row) {
      insertPayment.run(row);
    },
    async insertInvoice(row) {
      insertInvoice.run(row);
    },
    async markRefunded(payment, now) {
      const at = now.toISOString();
      db.update(payments).set({ status: 'refunded', updatedAt: at }).where(eq(payments.id, payment.id)).run();
      if (payment.invoiceId)
        db.update(invoices).set({ refundedAt: at }).where(eq(invoices.id, payment.invoiceId)).run();
    },
    async wasRefundedUncharged(orderId) {
      return refundedOf.get({ orderId }) !== undefined;
    },
    async recordRefundedUncharged(orderId, now) {
      db.insert(refundedUncharged).values({ orderId, refundedAt: now.toISOString() }).onConflictDoNothing().run();
    },
    invoiceById,
    async invoiceOfOrder(orderId) {
      return db
        .select()
        .from(invoices)
        .where(and(eq(invoices.orderId, orderId), isNull(invoices.refundedAt)))
        .get();
    },
    async listInvoices(limit, userId, after) {
      const from = after ? await invoiceById(after) : undefined;
      return db
        .select()
        .from(invoices)
        .where(
          and(
            userId ? eq(invoices.userId, userId) : undefined,
            from ? olderThan(invoices.issuedAt, invoices.id, { time: from.issuedAt, id: from.id }) : undefined,
          ),
        )
        .orderBy(desc(invoices.issuedAt), desc(invoices.id))
        .limit(limit)
        .all();
    },
  };
}

/** The SQLite store of the payments: its schema, its migrations beside this file, and the store. */
export const paymentsSqlite: SqliteStoreParts<typeof schema, PaymentsStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: sqlitePaymentsStore,
};
