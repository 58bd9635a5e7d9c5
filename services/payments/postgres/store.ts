import { and, desc, eq, isNull } from 'drizzle-orm';
import { postgresMessagingStore } from '../../../broker/messaging/postgres/store';
import { type PostgresDb, type PostgresStoreParts } from '../../../db/postgres';
import { olderThan, param, rowParams } from '../../../db/statements';
import type { PaymentsStore } from '../store';
import * as schema from './schema';
import { invoices, payments, refundedUncharged } from './schema';

/** The payments service's store on one PostgreSQL connection. */
export function postgresPaymentsStore(db: PostgresDb<typeof schema>): PaymentsStore {
  const paymentOf = db
    .select()
    .from(payments)
    .where(eq(payments.orderId, param('orderId')))
    .prepare('payments_of');
  const insertPayment = db.insert(payments).values(rowParams(payments)).prepare('payments_insert');
  const insertInvoice = db.insert(invoices).values(rowParams(invoices)).prepare('invoices_insert');
  const refundedOf = db
    .select()
    .from(refundedUncharged)
    .where(eq(refundedUncharged.orderId, param('orderId')))
    .prepare('refunded_uncharged_of');
  const invoiceById = async (id: string) => (await db.select().from(invoices).where(eq(invoices.id, id)))[0];

  return {
    ...postgresMessagingStore(db),
    async paymentOf(orderId) {
      return (await paymentOf.execute({ orderId }))[0];
    },
    async insertPayment(row) {
      await insertPayment.execute(row);
    },
    async insertInvoice(row) {
      await insertInvoice.execute(row);
    },
    async markRefunded(payment, now) {
      const at = now.toISOString();
      await db.update(payments).set({ status: 'refunded', updatedAt: at }).where(eq(payments.id, payment.id));
      if (payment.invoiceId)
        await db.update(invoices).set({ refundedAt: at }).where(eq(invoices.id, payment.invoiceId));
    },
    async wasRefundedUncharged(orderId) {
      return (await refundedOf.execute({ orderId })).length > 0;
    },
    async recordRefundedUncharged(orderId, now) {
      await db.insert(refundedUncharged).values({ orderId, refundedAt: now.toISOString() }).onConflictDoNothing();
    },
    invoiceById,
    async invoiceOfOrder(orderId) {
      const [row] = await db
        .select()
        .from(invoices)
        .where(and(eq(invoices.orderId, orderId), isNull(invoices.refundedAt)));
      return row;
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
        .limit(limit);
    },
  };
}

/** The PostgreSQL store of payments: its schema, its migrations beside this file, and the store. */
export const paymentsPostgres: PostgresStoreParts<typeof schema, PaymentsStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: postgresPaymentsStore,
};
