import { afterEach, describe, expect, it } from 'vitest';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

describe.each(transports)('one line per product, over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('refuses a product on two lines with a 400 naming it, and holds nothing (the lines once summed past the cap)', async () => {
    system = await startTestSystem(transport);
    const { api } = system;
    const buyer = await api.customer();
    const widget = await api.createProduct({ name: 'Widget', priceCents: 100, stock: 20_000 });

    const reply = await api.placeOrder(buyer.token, [
      { productId: widget.id, quantity: 5_001 },
      { productId: widget.id, quantity: 5_001 },
    ]);
    expect(reply.status).toBe(400);
    expect((reply.body as unknown as { error: unknown }).error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'items.1.productId', message: expect.stringContaining(widget.id) }],
    });

    // The same units on one line are an order like any other.
    const one = await api.placeOrder(buyer.token, [{ productId: widget.id, quantity: 10_000 }]);
    expect(one.status).toBe(202);
    expect(await api.settled(buyer.token, one.body.id)).toMatchObject({ status: 'CONFIRMED', totalCents: 1_000_000 });
    const state = await expectInvariants(system);
    expect(state.orders).toHaveLength(1);
    expect(await api.product(widget.id)).toMatchObject({ stock: 10_000, reserved: 0, sold: 10_000 });
  });
});
