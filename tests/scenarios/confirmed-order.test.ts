import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

describe.each(transports)('a confirmed order over the %s broker', (transport) => {
  let system: TestSystem;
  beforeEach(async () => {
    system = await startTestSystem(transport);
  });
  afterEach(() => system.stop());

  it('moves stock from available to sold, settles the payment and issues the invoice', async () => {
    const { api } = system;
    const buyer = await api.customer('Ann');
    const mug = await api.createProduct({ name: 'Mug', priceCents: 1250, stock: 10 });
    const tea = await api.createProduct({ name: 'Tea', priceCents: 499, stock: 3 });

    const placed = await api.placeOrder(buyer.token, [
      { productId: mug.id, quantity: 2 },
      { productId: tea.id, quantity: 3 },
    ]);
    expect(placed.status).toBe(202);
    expect(placed.headers.get('location')).toBe(`/orders/${placed.body.id}`);
    expect(placed.body).toMatchObject({ status: 'PENDING', userId: buyer.id });

    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      totalCents: 2 * 1250 + 3 * 499,
      items: [
        { productId: mug.id, quantity: 2, name: 'Mug', unitPriceCents: 1250 },
        { productId: tea.id, quantity: 3, name: 'Tea', unitPriceCents: 499 },
      ],
    });
    expect(order.history.map((entry) => entry.status)).toEqual(['PENDING', 'CONFIRMED']);

    expect(await api.product(mug.id)).toMatchObject({ stock: 8, reserved: 0, sold: 2 });
    expect(await api.product(tea.id)).toMatchObject({ stock: 0, reserved: 0, sold: 3 });

    const invoice = await api.call('GET', `/orders/${order.id}/invoice`, { token: buyer.token });
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({
      id: order.invoiceId,
      orderId: order.id,
      userId: buyer.id,
      totalCents: order.totalCents,
      cardLast4: CARDS.settles.slice(-4),
    });
    expect(invoice.body.lines).toEqual([
      { productId: mug.id, quantity: 2, name: 'Mug', unitPriceCents: 1250 },
      { productId: tea.id, quantity: 3, name: 'Tea', unitPriceCents: 499 },
    ]);

    // A rename and an archive later, the order and its invoice still read as they were placed.
    const admin = await api.adminToken();
    expect((await api.call('PATCH', `/products/${mug.id}`, { token: admin, body: { name: 'Big mug' } })).status).toBe(
      200,
    );
    expect((await api.call('DELETE', `/products/${tea.id}`, { token: admin })).status).toBe(204);
    expect((await api.call('GET', `/orders/${order.id}`, { token: buyer.token })).body.items).toEqual(order.items);
    const again = await api.call('GET', `/orders/${order.id}/invoice`, { token: buyer.token });
    expect(again.body.lines).toEqual(invoice.body.lines);

    // VerifyUser and ReserveStock go out together, and their answers may come back in either order.
    const steps = await api.steps(order.id);
    expect(steps.slice(0, 2)).toEqual(['verifyUser started', 'reserveStock started']);
    expect(steps.slice(2, 4).sort()).toEqual(['reserveStock succeeded', 'verifyUser succeeded']);
    expect(steps.slice(4)).toEqual([
      'settlePayment started',
      'settlePayment succeeded',
      'commitStock started',
      'commitStock succeeded',
    ]);

    const state = await expectInvariants(system);
    expect(state.payments).toMatchObject([{ order_id: order.id, status: 'settled', amount_cents: order.totalCents }]);
    expect(state.sagas).toEqual([{ order_id: order.id, status: 'CONFIRMED', reason: null, detail: null }]);
  });

  it('traces each message with its data, the card sealed, and what each input applied changed', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 100, stock: 5 });
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.settles);
    expect((await api.settled(buyer.token, placed.body.id)).status).toBe('CONFIRMED');

    const trace = await api.trace(placed.body.id);
    expect(JSON.stringify(trace)).not.toContain(CARDS.settles);
    expect(trace.filter((entry) => entry.data === null)).toEqual([]);
    expect(trace.find((entry) => entry.type === 'OrderRequested')?.data).toEqual({
      orderId: placed.body.id,
      userId: buyer.id,
      items: [{ productId: mug.id, quantity: 1 }],
      card: { sealed: expect.any(String), last4: CARDS.settles.slice(-4) },
    });

    // What went out changed nothing; every input was applied, and each moved the saga on.
    expect(trace.filter((entry) => entry.direction === 'out' && entry.change !== null)).toEqual([]);
    const inputs = trace.filter((entry) => entry.direction === 'in');
    expect(inputs.every((entry) => entry.outcome === 'applied')).toBe(true);
    const changeOf = (type: string) => inputs.find((entry) => entry.type === type)?.change;
    expect(changeOf('OrderRequested')).toMatchObject({
      status: [null, 'RUNNING'],
      'steps.verifyUser': [null, 'pending'],
    });
    const answers = { UserVerified: 'verifyUser', StockReserved: 'reserveStock', PaymentSettled: 'settlePayment' };
    for (const [type, step] of Object.entries({ ...answers, StockCommitted: 'commitStock' }))
      expect(changeOf(type)).toMatchObject({ [`steps.${step}`]: ['pending', 'succeeded'] });
    expect(inputs.map((entry) => entry.type).sort()).toEqual(
      ['OrderRequested', ...Object.keys(answers), 'StockCommitted'].sort(),
    );
    expect(changeOf('StockCommitted')).toMatchObject({ status: ['RUNNING', 'CONFIRMED'] });
  });

  it('answers the same order for a repeated Idempotency-Key and 409 for another body under it', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 100, stock: 5 });
    const items = [{ productId: mug.id, quantity: 1 }];
    const key = { 'Idempotency-Key': 'order-1' };

    const first = await api.placeOrder(buyer.token, items, CARDS.settles, key);
    const again = await api.placeOrder(buyer.token, items, CARDS.settles, key);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);

    const other = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }], CARDS.settles, key);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: { code: 'conflict' } });

    await api.settled(buyer.token, first.body.id);
    const state = await expectInvariants(system);
    expect(state.orders).toHaveLength(1);
    expect(await api.product(mug.id)).toMatchObject({ stock: 4, sold: 1 });
  });
});
