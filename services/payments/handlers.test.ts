import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, sealCard, type CardKeys } from '../../contracts';
import type { Inbound } from '../../contracts/topology';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { handlePaymentCommand } from './handlers';
import { paymentsSqlite } from './sqlite/store';

const now = new Date('2026-01-01T00:00:00.000Z');
const cardKeys: CardKeys = ['test-card-key'];

describe('the payment commands on a real payments database', () => {
  let database: ScratchDatabase<typeof paymentsSqlite>;
  beforeEach(() => {
    database = scratchDatabase(paymentsSqlite);
  });
  afterEach(() => database.remove());

  const handle = (command: Inbound<'payments'>) =>
    database.transaction((store) => handlePaymentCommand(store, command, now, cardKeys));
  const context = (orderId: string) => ({
    producer: 'orchestrator' as const,
    correlationId: orderId,
    causationId: null,
  });
  const settle = (orderId: string, cardNumber = '4242424242424242') =>
    handle(
      envelope(
        {
          type: 'SettlePayment',
          data: {
            orderId,
            userId: randomUUID(),
            lines: [{ productId: randomUUID(), quantity: 1, name: 'Mug', unitPriceCents: 500 }],
            amountCents: 500,
            card: sealCard(cardNumber, cardKeys),
          },
        },
        context(orderId),
      ),
    );
  const refund = (orderId: string) => handle(envelope({ type: 'RefundPayment', data: { orderId } }, context(orderId)));

  it('answers the refund of an order never charged, and refuses its SettlePayment arriving later', async () => {
    const orderId = randomUUID();
    expect(await refund(orderId)).toEqual([
      { type: 'PaymentRefunded', data: { orderId, paymentId: null, amountCents: 0 } },
    ]);
    expect(await settle(orderId)).toEqual([]);
    expect(await database.store.paymentOf(orderId)).toBeUndefined();
    expect(await refund(orderId)).toEqual([
      { type: 'PaymentRefunded', data: { orderId, paymentId: null, amountCents: 0 } },
    ]);
  });

  it('settles a good card with an invoice, and refunds the charge once', async () => {
    const orderId = randomUUID();
    const [settled] = await settle(orderId);
    expect(settled).toMatchObject({ type: 'PaymentSettled', data: { orderId, amountCents: 500 } });
    const { paymentId, invoiceId } = settled!.data as { paymentId: string; invoiceId: string };
    expect(await database.store.invoiceOfOrder(orderId)).toMatchObject({ id: invoiceId, orderId, totalCents: 500 });
    const refunded = [{ type: 'PaymentRefunded', data: { orderId, paymentId, amountCents: 500 } }];
    expect(await refund(orderId)).toEqual(refunded);
    expect(await refund(orderId)).toEqual(refunded);
    expect(await database.store.paymentOf(orderId)).toMatchObject({ status: 'refunded' });
    expect(await database.store.wasRefundedUncharged(orderId)).toBe(false);
    // The invoice stays in the books, refunded, and is no longer its (cancelled) order's.
    expect(await database.store.invoiceOfOrder(orderId)).toBeUndefined();
    expect(await database.store.invoiceById(invoiceId)).toMatchObject({ orderId, refundedAt: now.toISOString() });
    // A resent SettlePayment gets the first answer, and charges nothing again.
    expect(await settle(orderId)).toEqual([settled]);
  });

  for (const [cardNumber, reason] of [
    ['4000000000000002', 'card_declined'],
    ['4000000000009995', 'insufficient_funds'],
  ] as const) {
    it(`declines card ${cardNumber} as ${reason}: no invoice, the same answer again, nothing to refund`, async () => {
      const orderId = randomUUID();
      const declined = [{ type: 'PaymentDeclined', data: { orderId, reason } }];

      expect(await settle(orderId, cardNumber)).toEqual(declined);
      const payment = await database.store.paymentOf(orderId);
      expect(payment).toMatchObject({
        status: 'declined',
        declineReason: reason,
        invoiceId: null,
        cardLast4: cardNumber.slice(-4),
      });
      expect(await database.store.invoiceOfOrder(orderId)).toBeUndefined();

      expect(await settle(orderId, cardNumber)).toEqual(declined);
      // The compensation of a declined payment refunds nothing, and leaves the decline as it was.
      expect(await refund(orderId)).toEqual([
        { type: 'PaymentRefunded', data: { orderId, paymentId: null, amountCents: 0 } },
      ]);
      expect(await database.store.paymentOf(orderId)).toEqual(payment);
      expect(await database.store.invoiceOfOrder(orderId)).toBeUndefined();
      expect(await settle(orderId, cardNumber)).toEqual(declined);
    });
  }
});
