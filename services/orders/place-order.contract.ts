import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unsealCard, type CardKeys } from '../../contracts/card-token';
import type { Outbound } from '../../contracts/topology';
import { freshDatabaseEachTest, type DatabaseFactory } from '../../db/conformance/open-database';
import type { Database } from '../../db/database';
import type { Caller } from '../../http/auth';
import { HttpError } from '../../http/errors';
import { Admission } from './admission';
import { placeOrder, type PlaceOrderDeps } from './place-order';
import type { OrdersStore } from './store';

export const cardKeys: CardKeys = ['test-card-key'];
const card = { cardNumber: '4242424242424242' };
export const ann: Caller = { id: randomUUID(), role: 'customer' };

/** An order's body: one line of a new product. */
export const body = (quantity = 1) => ({ items: [{ productId: randomUUID(), quantity }], payment: card });

/** A request of ann's, unless told otherwise. */
export const request = (overrides: { body?: ReturnType<typeof body>; key?: string; caller?: Caller } = {}) => ({
  caller: ann,
  body: body(),
  key: undefined,
  traceparent: undefined,
  ...overrides,
});

/** What placeOrder is given on `database`, with at most `pending` orders pending before it sheds; what it sent. */
export function placing(database: Database<OrdersStore>, pending = 100) {
  const sent: Outbound<'orders'>[] = [];
  const deps: PlaceOrderDeps = {
    database,
    cardKeys,
    admission: new Admission(pending),
    // As the endpoint does: in the outbox, so that the messages only stay if the transaction commits.
    send: async (store, messages) => {
      await store.addToOutbox(
        messages.map((m) => ({ messageId: m.messageId, type: m.type, payload: '{}', createdAt: m.occurredAt })),
      );
      sent.push(...messages);
    },
  };
  return { deps, sent };
}

/** The orders kept (their ids, sorted) and the messages waiting in the outbox. */
export const kept = (database: Database<OrdersStore>) =>
  database.read(async (store) => ({
    orders: (await store.listOrders(100, {})).map((row) => row.id).sort(),
    outbox: (await store.outboxBacklog()).pending,
  }));

/** What a placement threw, which must be an HttpError. */
export async function refusal(placement: Promise<unknown>): Promise<HttpError> {
  const error = await placement.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

/** What placing an order does, on either database: each refusal thrown, and nothing of it kept. */
export function placeOrderContract(name: string, makeDatabase: DatabaseFactory<OrdersStore>): void {
  describe(`${name}: placing an order`, () => {
    const db = freshDatabaseEachTest(makeDatabase);

    it('inserts a pending order with its OrderRequested, the card sealed, and answers the order', async () => {
      const { deps, sent } = placing(db());
      const placed = body(2);
      const order = await placeOrder(deps, request({ body: placed }));
      expect(order).toMatchObject({
        userId: ann.id,
        status: 'PENDING',
        items: placed.items,
        cardLast4: '4242',
        history: [{ status: 'PENDING' }],
      });
      expect(await kept(db())).toEqual({ orders: [order.id], outbox: 1 });
      const [requested] = sent;
      if (sent.length !== 1 || requested?.type !== 'OrderRequested') throw new Error('expected one OrderRequested');
      expect(requested).toMatchObject({
        correlationId: order.id,
        data: { orderId: order.id, userId: ann.id, items: placed.items },
      });
      expect(JSON.stringify(requested)).not.toContain(card.cardNumber);
      expect(unsealCard(requested.data.card, cardKeys)).toBe(card.cardNumber);
    });

    it('answers a known Idempotency-Key with its order, and throws 409 for it with another body', async () => {
      const { deps } = placing(db());
      const placed = body();
      const order = await placeOrder(deps, request({ body: placed, key: 'k' }));
      expect(await placeOrder(deps, request({ body: placed, key: 'k' }))).toEqual(order);
      const reused = await refusal(placeOrder(deps, request({ body: body(3), key: 'k' })));
      expect(reused).toMatchObject({ status: 409, code: 'conflict' });
      expect(await kept(db())).toEqual({ orders: [order.id], outbox: 1 });
    });

    it('throws 403 to anyone but a customer, and writes nothing', async () => {
      const { deps } = placing(db());
      const admin: Caller = { id: randomUUID(), role: 'admin' };
      expect(await refusal(placeOrder(deps, request({ caller: admin })))).toMatchObject({ status: 403 });
      expect(await kept(db())).toEqual({ orders: [], outbox: 0 });
    });

    it('throws 503 overloaded with Retry-After once the pending orders reach the limit, its key rolled back with it', async () => {
      const { deps } = placing(db(), 1);
      const first = await placeOrder(deps, request());
      const shed = await refusal(placeOrder(deps, request({ key: 'shed' })));
      expect(shed).toMatchObject({
        status: 503,
        code: 'overloaded',
        message: '1 orders are being settled; try again shortly',
        headers: { 'Retry-After': '1' },
      });
      expect(await kept(db())).toEqual({ orders: [first.id], outbox: 1 });
      // Once there is room, the same key places an order: the refused one left no trace of it.
      await db().transaction((store) =>
        store.endOrder(first.id, { status: 'CANCELLED', reason: null, detail: null }, new Date()),
      );
      expect(await placeOrder(deps, request({ key: 'shed' }))).toMatchObject({ status: 'PENDING' });
    });
  });
}
