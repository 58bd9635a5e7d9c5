import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type MessageData, type Outgoing } from '../../contracts';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { handleSagaOutcome } from './handlers';
import { ordersSqlite } from './sqlite/store';
import { toOrder } from './store';

const placedAt = new Date('2026-01-01T00:00:00.000Z');
const now = new Date('2026-01-01T00:00:05.000Z');
const mug = randomUUID();
const teapot = randomUUID();
const lines = [
  { productId: mug, quantity: 2, name: 'Mug', unitPriceCents: 500 },
  { productId: teapot, quantity: 1, name: 'Teapot', unitPriceCents: 1_200 },
];

describe('the saga outcomes on a real orders database', () => {
  let database: ScratchDatabase<typeof ordersSqlite>;
  beforeEach(() => {
    database = scratchDatabase(ordersSqlite);
  });
  afterEach(() => database.remove());

  /** A pending order of two mugs and a teapot, as POST /orders leaves it. */
  async function aPendingOrder(): Promise<string> {
    const orderId = randomUUID();
    await database.transaction((store) =>
      store.insertOrder({
        id: orderId,
        userId: randomUUID(),
        status: 'PENDING',
        reason: null,
        detail: null,
        items: [
          { productId: mug, quantity: 2 },
          { productId: teapot, quantity: 1 },
        ],
        totalCents: null,
        invoiceId: null,
        cardLast4: '4242',
        createdAt: placedAt.toISOString(),
        updatedAt: placedAt.toISOString(),
      }),
    );
    return orderId;
  }

  type Outcome = 'OrderConfirmed' | 'OrderCancelled' | 'LateReplyCompensated';
  const handle = <T extends Outcome>(type: T, data: MessageData<T>) =>
    database.transaction((store) =>
      handleSagaOutcome(
        store,
        envelope({ type, data } as Outgoing<T>, {
          producer: 'orchestrator',
          correlationId: data.orderId,
          causationId: null,
        }),
        now,
      ),
    );
  const orderNamed = (orderId: string) =>
    database.read(async (store) => toOrder(store, (await store.findOrder(orderId))!));
  const confirm = (orderId: string) =>
    handle('OrderConfirmed', { orderId, lines, totalCents: 2_200, invoiceId: randomUUID() });

  it('confirms a pending order with the prices, total and invoice the saga settled, and answers nothing', async () => {
    const orderId = await aPendingOrder();
    const invoiceId = randomUUID();

    expect(await handle('OrderConfirmed', { orderId, lines, totalCents: 2_200, invoiceId })).toEqual([]);

    expect(await orderNamed(orderId)).toMatchObject({
      status: 'CONFIRMED',
      items: lines,
      totalCents: 2_200,
      invoiceId,
      updatedAt: now.toISOString(),
      history: [
        { status: 'PENDING', at: placedAt.toISOString() },
        { status: 'CONFIRMED', at: now.toISOString() },
      ],
    });
    expect(await orderNamed(orderId)).not.toHaveProperty('reason');
  });

  it('cancels a pending order with the reason and detail, keeping its lines unpriced', async () => {
    const orderId = await aPendingOrder();

    expect(await handle('OrderCancelled', { orderId, reason: 'OUT_OF_STOCK', detail: `product ${teapot}` })).toEqual(
      [],
    );

    const cancelled = await orderNamed(orderId);
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      reason: 'OUT_OF_STOCK',
      detail: `product ${teapot}`,
      items: [
        { productId: mug, quantity: 2 },
        { productId: teapot, quantity: 1 },
      ],
      history: [
        { status: 'PENDING', at: placedAt.toISOString() },
        { status: 'CANCELLED', reason: 'OUT_OF_STOCK', detail: `product ${teapot}`, at: now.toISOString() },
      ],
    });
    expect(cancelled).not.toHaveProperty('totalCents');
    expect(cancelled).not.toHaveProperty('invoiceId');
  });

  it('cancels without a detail when the saga gave none', async () => {
    const orderId = await aPendingOrder();
    await handle('OrderCancelled', { orderId, reason: 'CANCELLED_BY_CUSTOMER' });
    const cancelled = await orderNamed(orderId);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
    expect(cancelled).not.toHaveProperty('detail');
    expect(cancelled.history[1]).toEqual({
      status: 'CANCELLED',
      reason: 'CANCELLED_BY_CUSTOMER',
      at: now.toISOString(),
    });
  });

  it('keeps the first outcome: a repeated or contrary one changes nothing', async () => {
    const confirmed = await aPendingOrder();
    await confirm(confirmed);
    const once = await orderNamed(confirmed);
    expect(await confirm(confirmed)).toEqual([]);
    expect(await handle('OrderCancelled', { orderId: confirmed, reason: 'STEP_TIMEOUT' })).toEqual([]);
    expect(await orderNamed(confirmed)).toEqual(once);

    const cancelled = await aPendingOrder();
    await handle('OrderCancelled', { orderId: cancelled, reason: 'PAYMENT_DECLINED', detail: 'card_declined' });
    const before = await orderNamed(cancelled);
    await confirm(cancelled);
    expect(await orderNamed(cancelled)).toEqual(before);
  });

  it('notes a late reply the saga undid on the history, leaving the outcome as it was', async () => {
    const orderId = await aPendingOrder();
    await handle('OrderCancelled', { orderId, reason: 'STEP_TIMEOUT', detail: 'settlePayment' });

    expect(
      await handle('LateReplyCompensated', { orderId, step: 'settlePayment', compensation: 'RefundPayment' }),
    ).toEqual([]);
    await handle('LateReplyCompensated', { orderId, step: 'reserveStock', compensation: 'ReleaseStock' });

    const order = await orderNamed(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'settlePayment' });
    expect(order.history.slice(2)).toEqual([
      {
        status: 'CANCELLED',
        reason: 'STEP_TIMEOUT',
        detail: 'the payment settled after its deadline, so it was refunded',
        at: now.toISOString(),
      },
      {
        status: 'CANCELLED',
        reason: 'STEP_TIMEOUT',
        detail: 'the stock was reserved after its deadline, so it was released',
        at: now.toISOString(),
      },
    ]);
  });

  it('refuses an outcome for an order it does not have', async () => {
    const orderId = randomUUID();
    await expect(handle('OrderCancelled', { orderId, reason: 'STEP_TIMEOUT' })).rejects.toThrow(
      `order ${orderId} does not exist`,
    );
  });
});
