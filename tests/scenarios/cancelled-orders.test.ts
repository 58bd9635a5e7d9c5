import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARDS } from '../support/api';
import { withFaults } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

describe.each(transports)('a cancelled order over the %s broker', (transport) => {
  let system: TestSystem;
  beforeEach(async () => {
    system = await startTestSystem(transport);
  });
  afterEach(() => system.stop());

  it('USER_REJECTED when an admin deactivated the customer after login: stock back, nothing charged', async () => {
    // Orders refuses a deactivated account's orders once UserDeactivated reaches it; held back
    // here, so the order goes through and the saga's VerifyUser is what rejects it.
    await system.stop();
    system = await startTestSystem(transport, {
      wrapBroker: (broker) => withFaults(broker, { seed: 1, drop: { types: ['UserDeactivated'] } }),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 4 });
    const deactivated = await api.call('PATCH', `/users/${buyer.id}`, {
      token: await api.adminToken(),
      body: { active: false },
    });
    expect(deactivated.body).toMatchObject({ id: buyer.id, active: false });

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'USER_REJECTED', detail: 'inactive_user' });

    expect(await api.product(mug.id)).toMatchObject({ stock: 4, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.payments).toEqual([]);
    expect(state.invoices).toEqual([]);
  });

  it('OUT_OF_STOCK: nothing charged, no stock moved', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 1 });

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'OUT_OF_STOCK' });

    expect(await api.product(mug.id)).toMatchObject({ stock: 1, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.payments).toEqual([]);
    expect(state.reservations).toEqual([]);
  });

  it('UNKNOWN_PRODUCT for a product that does not exist', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 5 });
    const ghost = randomUUID();

    const placed = await api.placeOrder(buyer.token, [
      { productId: mug.id, quantity: 1 },
      { productId: ghost, quantity: 1 },
    ]);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'UNKNOWN_PRODUCT', detail: `product ${ghost}` });

    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.payments).toEqual([]);
  });

  it('reserves nothing for any line when the second line lacks stock', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const plenty = await api.createProduct({ priceCents: 100, stock: 50 });
    const scarce = await api.createProduct({ priceCents: 100, stock: 1 });

    const placed = await api.placeOrder(buyer.token, [
      { productId: plenty.id, quantity: 5 },
      { productId: scarce.id, quantity: 2 },
    ]);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'OUT_OF_STOCK', detail: `product ${scarce.id}` });

    expect(await api.product(plenty.id)).toMatchObject({ stock: 50, reserved: 0, sold: 0 });
    expect(await api.product(scarce.id)).toMatchObject({ stock: 1, reserved: 0, sold: 0 });
    const state = await expectInvariants(system);
    expect(state.reservations).toEqual([]);
    expect(state.payments).toEqual([]);
  });

  it.each([
    ['card_declined', CARDS.declined],
    ['insufficient_funds', CARDS.insufficientFunds],
  ])('PAYMENT_DECLINED (%s): the reserved stock is restocked', async (detail, card) => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 900, stock: 6 });

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 4 }], card);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED', detail });

    expect(await api.product(mug.id)).toMatchObject({ stock: 6, reserved: 0, sold: 0 });
    expect((await api.steps(order.id)).slice(4)).toEqual([
      'settlePayment started',
      'settlePayment failed',
      'releaseStock started',
      'releaseStock succeeded',
    ]);
    const state = await expectInvariants(system);
    expect(state.reservations).toMatchObject([{ order_id: order.id, quantity: 4, status: 'released' }]);
    expect(state.payments).toMatchObject([{ order_id: order.id, status: 'declined', decline_reason: detail }]);
    expect(state.invoices).toEqual([]);
    const invoice = await api.call('GET', `/orders/${order.id}/invoice`, { token: buyer.token });
    expect(invoice.status).toBe(404);
  });
});
