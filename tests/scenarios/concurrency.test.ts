import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

describe.each(transports)('concurrent orders over the %s broker', (transport) => {
  let system: TestSystem;
  beforeEach(async () => {
    system = await startTestSystem(transport);
  });
  afterEach(() => system.stop());

  it('50 orders for a product with stock 20: exactly 20 confirmed, never oversold', async () => {
    const { api } = system;
    const buyers = await Promise.all(Array.from({ length: 5 }, (_, i) => api.customer(`Buyer ${i}`)));
    const lamp = await api.createProduct({ name: 'Lamp', priceCents: 2000, stock: 20 });

    const placed = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const buyer = buyers[i % buyers.length]!;
        return api.placeOrder(buyer.token, [{ productId: lamp.id, quantity: 1 }]).then((reply) => ({ buyer, reply }));
      }),
    );
    expect(placed.every(({ reply }) => reply.status === 202)).toBe(true);

    const orders = await Promise.all(placed.map(({ buyer, reply }) => api.settled(buyer.token, reply.body.id, 60_000)));
    const confirmed = orders.filter((order) => order.status === 'CONFIRMED');
    const cancelled = orders.filter((order) => order.status === 'CANCELLED');
    expect(confirmed).toHaveLength(20);
    expect(cancelled).toHaveLength(30);
    expect(cancelled.every((order) => order.reason === 'OUT_OF_STOCK')).toBe(true);

    expect(await api.product(lamp.id)).toMatchObject({ stock: 0, reserved: 0, sold: 20 });
    const state = await expectInvariants(system, { timeoutMs: 60_000 });
    expect(state.payments.filter((p) => p.status === 'settled')).toHaveLength(20);
    expect(state.invoices).toHaveLength(20);
  });
});
