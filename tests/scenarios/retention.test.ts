import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { readEndState } from '../support/end-state';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

const handled = async (system: TestSystem) =>
  Object.values((await readEndState(system)).inbox).reduce(
    (sum, byType) => sum + Object.values(byType).reduce((a, n) => a + n, 0),
    0,
  );

describe.each(transports)('retention over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  /** One order confirmed and one cancelled by a declined card, both settled. */
  async function settleTwoOrders() {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 5 });
    const orders = [];
    for (const card of [CARDS.settles, CARDS.declined]) {
      const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }], card);
      orders.push(await api.settled(buyer.token, placed.body.id));
    }
    expect(orders.map((order) => order.status)).toEqual(['CONFIRMED', 'CANCELLED']);
    expect(await api.product(mug.id)).toMatchObject({ stock: 3, reserved: 0, sold: 2 });
    return orders;
  }
  const trace = async (orderId: string) =>
    (await system.api.call('GET', `/sagas/${orderId}/trace`, { token: await system.api.adminToken() })).body;

  /** An order placed with an Idempotency-Key, settled; then what the same POST again answers. */
  async function placeTwiceWithKey() {
    const { api } = system;
    const buyer = await api.customer();
    const lamp = await api.createProduct({ priceCents: 900, stock: 5 });
    const place = () =>
      api.placeOrder(buyer.token, [{ productId: lamp.id, quantity: 1 }], CARDS.settles, { 'Idempotency-Key': 'k' });
    const first = (await place()).body;
    await api.settled(buyer.token, first.id);
    return { first, again: async () => (await place()).body };
  }

  it('forgets handled message ids, the stories of ended sagas and idempotency keys once past retention, keeping the orders', async () => {
    system = await startTestSystem(transport, {
      env: { INBOX_RETENTION_MS: '1', TRACE_RETENTION_MS: '1', IDEMPOTENCY_RETENTION_MS: '1', PRUNE_INTERVAL_MS: '50' },
    });
    const orders = await settleTwoOrders();
    const keyed = await placeTwiceWithKey();

    await waitFor(async () => (await handled(system)) === 0, { what: 'every inbox pruned' });
    for (const order of orders) {
      await waitFor(async () => (await trace(order.id)).messages.length === 0, { what: `trace of ${order.id} pruned` });
      expect(await trace(order.id)).toMatchObject({ status: order.status });
      // The order itself, its history and its invoice are the shop's records: never pruned.
      const kept = await system.api.call('GET', `/orders/${order.id}`, { token: await system.api.adminToken() });
      expect(kept.body).toMatchObject({ status: order.status, history: order.history });
    }
    // The key forgotten, the same POST places a new order.
    await waitFor(async () => (await keyed.again()).id !== keyed.first.id, { what: 'the idempotency key pruned' });
    await expectInvariants(system);

    // The system goes on as before.
    await settleTwoOrders();
    await expectInvariants(system);
  });

  it('keeps them while within retention', async () => {
    system = await startTestSystem(transport, { env: { PRUNE_INTERVAL_MS: '50' } });
    const [confirmed] = await settleTwoOrders();
    const keyed = await placeTwiceWithKey();
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect((await keyed.again()).id).toBe(keyed.first.id);
    expect(await handled(system)).toBeGreaterThan(10);
    expect((await trace(confirmed!.id)).messages.length).toBeGreaterThan(5);
    await expectInvariants(system);
  });
});
