import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectInvariants } from '../support/invariants';
import { cancelMidCommit, expectUndone } from '../support/mid-commit';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

describe.each(transports)("a customer's cancel over the %s broker", (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  beforeEach(async () => {
    system = await startTestSystem(transport, { wrapBroker: (broker) => (faults = withFaults(broker)) });
  });
  afterEach(() => system.stop());

  const sagaOf = async (orderId: string) =>
    (await system.api.call('GET', `/sagas/${orderId}`, { token: await system.api.adminToken() })).body;

  it('while the payment is in flight: the payment is refunded, the stock restocked, CANCELLED_BY_CUSTOMER', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 800, stock: 5 });
    faults.pause('payments');

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    await waitFor(async () => (await sagaOf(placed.body.id))?.state?.steps?.settlePayment === 'pending', {
      what: 'the saga to ask for the payment',
    });
    const cancel = await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: buyer.token });
    expect(cancel.status).toBe(202);
    faults.resume('payments');

    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.payments).toMatchObject([{ order_id: order.id, status: 'refunded' }]);
  });

  it('taken before its saga started: kept until the saga starts, which then undoes what it began', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 800, stock: 5 });
    faults.hold('OrderRequested');
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    expect((await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: buyer.token })).status).toBe(202);
    const taken = 'shop_messages_total{queue="orchestrator",type="OrderCancellationRequested",outcome="handled"}';
    await waitFor(async () => (await (await system.app.request('/metrics')).text()).includes(`${taken} 1`), {
      what: 'the orchestrator to take the cancel',
    });
    faults.release('OrderRequested');

    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.payments).toEqual([]);
    const received = (await api.trace(order.id)).filter((m) => m.direction === 'in');
    expect(received.slice(0, 2)).toMatchObject([
      { type: 'OrderRequested', outcome: 'applied' },
      { type: 'OrderCancellationRequested', outcome: 'applied', note: 'came before its saga started' },
    ]);
  });

  it('before the stock answered: nothing stays reserved', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 800, stock: 5 });
    faults.pause('products');

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 3 }]);
    expect((await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: buyer.token })).status).toBe(202);
    faults.resume('products');

    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.payments).toEqual([]);
  });

  it.each(['before', 'after'] as const)(
    'after the payment settled, %s products committed the stock: refunded once, restocked, the invoice only in the books',
    async (when) => {
      const { api } = system;
      const buyer = await api.customer();
      const mug = await api.createProduct({ priceCents: 800, stock: 5 });
      const order = await cancelMidCommit(system, faults, { when, buyer, productId: mug.id, quantity: 2 });

      const { state, trace } = await expectUndone(system, { buyer, order, productId: mug.id, stock: 5 });
      expect(state.payments).toMatchObject([{ order_id: order.id, amount_cents: 1_600 }]);
      expect(state.reservations).toMatchObject([{ order_id: order.id, status: 'released' }]);
      // The cancel came between the settlement and the commit's answer; the refund went at once,
      // the release only once the commit was answered.
      const applied = trace.filter((m) => m.direction === 'in' && m.outcome === 'applied').map((m) => m.type);
      expect(applied.slice(3, 5)).toEqual(['PaymentSettled', 'OrderCancellationRequested']);
      expect(applied.slice(5).sort()).toEqual(['PaymentRefunded', 'StockCommitted', 'StockReleased']);
      expect(applied.indexOf('StockReleased')).toBeGreaterThan(applied.indexOf('StockCommitted'));
      const sent = trace.filter((m) => m.direction === 'out').map((m) => m.type);
      expect(sent.indexOf('ReleaseStock')).toBeGreaterThan(sent.indexOf('CommitStock'));
      expect(sent.at(-1)).toBe('OrderCancelled');
    },
  );

  it('ten orders cancelled as soon as placed: none keeps stock, money or an invoice', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 300, stock: 30 });
    const ids = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
        const cancel = await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: buyer.token });
        expect([202, 409]).toContain(cancel.status);
        return placed.body.id;
      }),
    );
    const orders = await Promise.all(ids.map((id) => api.settled(buyer.token, id)));
    const state = await expectInvariants(system);
    for (const order of orders.filter((o) => o.status === 'CANCELLED')) {
      expect(order).toMatchObject({ reason: 'CANCELLED_BY_CUSTOMER' });
      expect(order.invoiceId).toBeUndefined();
      expect((await api.call('GET', `/orders/${order.id}/invoice`, { token: buyer.token })).status).toBe(404);
    }
    const sold = orders.filter((o) => o.status === 'CONFIRMED').length * 2;
    expect(await api.product(mug.id)).toMatchObject({ stock: 30 - sold, reserved: 0, sold });
    expect(state.invoices.filter((i) => i.refunded_at === null)).toHaveLength(sold / 2);
  });

  it('409 once the order has ended; 404 for someone else', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const other = await api.customer();
    const mug = await api.createProduct({ priceCents: 800, stock: 5 });
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);

    expect((await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: other.token })).status).toBe(404);
    expect(await api.settled(buyer.token, placed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    const late = await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: buyer.token });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'conflict' } });
    await expectInvariants(system);
  });
});
