import { describe, expect, it } from 'vitest';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { InvoiceRow, PaymentRow, PaymentsStore } from './store';

const payment = (id: string, orderId: string, changes: Partial<PaymentRow> = {}): PaymentRow => ({
  id,
  orderId,
  userId: 'u1',
  amountCents: 3_499,
  cardLast4: '4242',
  status: 'settled',
  declineReason: null,
  invoiceId: null,
  createdAt: iso(0),
  updatedAt: iso(0),
  ...changes,
});

const invoice = (id: string, orderId: string, changes: Partial<InvoiceRow> = {}): InvoiceRow => ({
  id,
  orderId,
  userId: 'u1',
  lines: [
    { productId: 'p1', quantity: 2, name: 'Mug', unitPriceCents: 1_250 },
    { productId: 'p2', quantity: 1, name: 'Teapot', unitPriceCents: 999 },
  ],
  totalCents: 3_499,
  cardLast4: '4242',
  issuedAt: iso(0),
  refundedAt: null,
  ...changes,
});

/** What the payments service's store does, on either database; the inbox and outbox are in the messaging contract. */
export function paymentsStoreContract(name: string, makeDatabase: DatabaseFactory<PaymentsStore>): void {
  describe(`${name}: the payments store contract`, () => {
    const db = freshDatabaseEachTest(makeDatabase);
    const tx = <R>(work: (store: PaymentsStore) => Promise<R>) => db().transaction(work);

    it("finds an order's payment as inserted, and none for another order", async () => {
      const settled = payment('pay-1', 'o1', { invoiceId: 'inv-1' });
      const declined = payment('pay-2', 'o2', { status: 'declined', declineReason: 'insufficient_funds' });
      await tx(async (store) => {
        await store.insertPayment(settled);
        await store.insertPayment(declined);
      });
      expect(await tx((store) => store.paymentOf('o1'))).toEqual(settled);
      expect(await tx((store) => store.paymentOf('o2'))).toEqual(declined);
      expect(await tx((store) => store.paymentOf('o3'))).toBeUndefined();
    });

    it('finds an invoice by id and by its order', async () => {
      const row = invoice('inv-1', 'o1');
      await tx((store) => store.insertInvoice(row));
      expect(await tx((store) => store.invoiceById('inv-1'))).toEqual(row);
      expect(await tx((store) => store.invoiceOfOrder('o1'))).toEqual(row);
      expect(await tx((store) => store.invoiceById('inv-2'))).toBeUndefined();
      expect(await tx((store) => store.invoiceOfOrder('o2'))).toBeUndefined();
    });

    it('refunds a payment and its invoice, which stays in the books but no longer belongs to its order', async () => {
      const settled = payment('pay-1', 'o1', { invoiceId: 'inv-1' });
      const other = payment('pay-2', 'o2', { invoiceId: 'inv-2' });
      await tx(async (store) => {
        await store.insertPayment(settled);
        await store.insertInvoice(invoice('inv-1', 'o1'));
        await store.insertPayment(other);
        await store.insertInvoice(invoice('inv-2', 'o2'));
      });
      await tx((store) => store.markRefunded(settled, at(5)));
      expect(await tx((store) => store.paymentOf('o1'))).toEqual({ ...settled, status: 'refunded', updatedAt: iso(5) });
      expect(await tx((store) => store.invoiceById('inv-1'))).toEqual(invoice('inv-1', 'o1', { refundedAt: iso(5) }));
      expect(await tx((store) => store.invoiceOfOrder('o1'))).toBeUndefined();
      // Nobody else's.
      expect(await tx((store) => store.paymentOf('o2'))).toEqual(other);
      expect(await tx((store) => store.invoiceOfOrder('o2'))).toEqual(invoice('inv-2', 'o2'));
    });

    it('refunds a payment that has no invoice, touching no invoice', async () => {
      const declined = payment('pay-1', 'o1', { status: 'declined', declineReason: 'card_declined' });
      await tx(async (store) => {
        await store.insertPayment(declined);
        await store.insertInvoice(invoice('inv-2', 'o2'));
      });
      await tx((store) => store.markRefunded(declined, at(5)));
      expect(await tx((store) => store.paymentOf('o1'))).toEqual({
        ...declined,
        status: 'refunded',
        updatedAt: iso(5),
      });
      expect(await tx((store) => store.invoiceById('inv-2'))).toEqual(invoice('inv-2', 'o2'));
    });

    it('remembers an order refunded before it was charged, recorded any number of times', async () => {
      expect(await tx((store) => store.wasRefundedUncharged('o1'))).toBe(false);
      await tx((store) => store.recordRefundedUncharged('o1', at(1)));
      await tx((store) => store.recordRefundedUncharged('o1', at(2)));
      expect(await tx((store) => store.wasRefundedUncharged('o1'))).toBe(true);
      expect(await tx((store) => store.wasRefundedUncharged('o2'))).toBe(false);
    });

    describe('listing invoices', () => {
      // inv-d and inv-c were issued at the same instant, inv-d first: the id breaks the tie, and the cursor too.
      const issued = [
        invoice('inv-a', 'o1', { userId: 'u1', issuedAt: iso(1) }),
        invoice('inv-e', 'o2', { userId: 'u2', issuedAt: iso(2) }),
        invoice('inv-d', 'o4', { userId: 'u2', issuedAt: iso(3) }),
        invoice('inv-c', 'o3', { userId: 'u1', issuedAt: iso(3) }),
        invoice('inv-b', 'o5', { userId: 'u1', issuedAt: iso(4) }),
      ];
      const list = async (limit: number, userId?: string, after?: string) =>
        (await tx((store) => store.listInvoices(limit, userId, after))).map((row) => row.id);

      it('lists every invoice newest first, ties broken by id, a page at a time after the cursor', async () => {
        await tx(async (store) => {
          for (const row of issued) await store.insertInvoice(row);
        });
        expect(await list(10)).toEqual(['inv-b', 'inv-d', 'inv-c', 'inv-e', 'inv-a']);
        expect(await list(2)).toEqual(['inv-b', 'inv-d']);
        expect(await list(2, undefined, 'inv-d')).toEqual(['inv-c', 'inv-e']);
        expect(await list(2, undefined, 'inv-e')).toEqual(['inv-a']);
        expect(await list(2, undefined, 'inv-a')).toEqual([]);
        // Refunded invoices stay in the books.
        await tx((store) => store.markRefunded(payment('pay-b', 'o5', { invoiceId: 'inv-b' }), at(9)));
        expect(await list(1)).toEqual(['inv-b']);
      });

      it('breaks a tie on time by id, whatever order the tied invoices were issued in', async () => {
        // Neither the order issued nor its reverse is the order listed.
        await tx(async (store) => {
          for (const id of ['t-b', 't-a', 't-c'])
            await store.insertInvoice(invoice(id, `o-${id}`, { issuedAt: iso(5) }));
        });
        expect(await list(10)).toEqual(['t-c', 't-b', 't-a']);
        expect(await list(1, undefined, 't-c')).toEqual(['t-b']);
        expect(await list(1, 'u1', 't-b')).toEqual(['t-a']);
      });

      it("lists one buyer's invoices, with the cursor", async () => {
        await tx(async (store) => {
          for (const row of issued) await store.insertInvoice(row);
        });
        expect(await list(10, 'u1')).toEqual(['inv-b', 'inv-c', 'inv-a']);
        expect(await list(1, 'u1', 'inv-b')).toEqual(['inv-c']);
        expect(await list(10, 'u2')).toEqual(['inv-d', 'inv-e']);
        expect(await list(10, 'u2', 'inv-d')).toEqual(['inv-e']);
        expect(await list(10, 'u3')).toEqual([]);
      });
    });
  });
}
