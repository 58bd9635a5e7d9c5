import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { readEndState } from '../support/end-state';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

const handled = (system: TestSystem) =>
  Object.values(readEndState(system.dataDir).inbox).reduce(
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

  it('forgets handled message ids and the stories of ended sagas once past retention, keeping the orders', async () => {
    system = await startTestSystem(transport, {
      env: { INBOX_RETENTION_MS: '1', TRACE_RETENTION_MS: '1', PRUNE_INTERVAL_MS: '50' },
    });
    const orders = await settleTwoOrders();

    await waitFor(() => handled(system) === 0, { what: 'every inbox pruned' });
    for (const order of orders) {
      await waitFor(async () => (await trace(order.id)).messages.length === 0, { what: `trace of ${order.id} pruned` });
      expect(await trace(order.id)).toMatchObject({ status: order.status });
      // The order itself, its history and its invoice are the shop's records: never pruned.
      const kept = await system.api.call('GET', `/orders/${order.id}`, { token: await system.api.adminToken() });
      expect(kept.body).toMatchObject({ status: order.status, history: order.history });
    }
    await expectInvariants(system);

    // The system goes on as before.
    await settleTwoOrders();
    await expectInvariants(system);
  });

  it('keeps them while within retention', async () => {
    system = await startTestSystem(transport, { env: { PRUNE_INTERVAL_MS: '50' } });
    const [confirmed] = await settleTwoOrders();
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(handled(system)).toBeGreaterThan(10);
    expect((await trace(confirmed!.id)).messages.length).toBeGreaterThan(5);
    await expectInvariants(system);
  });
});
