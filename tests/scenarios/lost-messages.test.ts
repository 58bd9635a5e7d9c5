import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readEndState } from '../support/end-state';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

/**
 * Messages that are never delivered. A step whose answer is lost is undone as if it happened,
 * since it may have; a command that comes after its undoing is refused.
 */
describe.each(transports)('lost messages over the %s broker', (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  afterEach(() => system.stop());

  async function start(dropped: string, timeouts: string) {
    system = await startTestSystem(transport, {
      env: { SAGA_STEP_TIMEOUTS_MS: timeouts },
      wrapBroker: (broker) => (faults = withFaults(broker, { seed: 1, drop: { types: [dropped] } })),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ name: 'Mug', priceCents: 500, stock: 5 });
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    expect(placed.status).toBe(202);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(faults.injected.dropped).toBe(1);
    return { api, buyer, mug, order };
  }

  /**
   * The dropped command turns up after all, as a replayed dead letter would: published again
   * (under a new id, with nothing dropped any more) and taken by `service`.
   */
  async function deliverLate(service: string) {
    const { routingKey, payload } = faults.dropped[0]!;
    faults.replan({ seed: 1 });
    await system.broker.publish(routingKey, JSON.stringify({ ...JSON.parse(payload), messageId: randomUUID() }));
    await waitFor(async () => (await handled(system, service, routingKey)) === 1, {
      what: `${service} to take the late command`,
    });
  }

  const traceOf = async (orderId: string) =>
    (
      await system.api.call('GET', `/sagas/${orderId}/trace`, { token: await system.api.adminToken() })
    ).body.messages.map((m: { type: string }) => m.type);

  it('a StockReserved never delivered: STEP_TIMEOUT, and the reservation it answered is released', async () => {
    const { api, mug, order } = await start('StockReserved', 'reserveStock=400');
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'reserveStock' });
    await expectInvariants(system);
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect((await readEndState(system)).reservations).toMatchObject([{ order_id: order.id, status: 'released' }]);
    expect(await traceOf(order.id)).toEqual(
      expect.arrayContaining(['DeadlinePassed', 'ReleaseStock', 'StockReleased']),
    );
  });

  it('a PaymentSettled never delivered: STEP_TIMEOUT, the charge refunded and the stock released', async () => {
    const { api, mug, order } = await start('PaymentSettled', 'settlePayment=400');
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'settlePayment' });
    const state = await expectInvariants(system);
    expect(state.payments).toMatchObject([{ order_id: order.id, status: 'refunded', amount_cents: 1_000 }]);
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(await traceOf(order.id)).toEqual(expect.arrayContaining(['RefundPayment', 'PaymentRefunded']));
  });

  it('a ReserveStock that arrives after its release is refused: nothing is reserved for the ended order', async () => {
    const { api, mug, order } = await start('ReserveStock', 'reserveStock=400');
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'reserveStock' });
    await expectInvariants(system);

    await deliverLate('products');
    await expectInvariants(system);
    expect(await api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect((await readEndState(system)).reservations).toEqual([]);
  });

  it('a SettlePayment that arrives after its refund is refused: nothing is charged for the ended order', async () => {
    const { order } = await start('SettlePayment', 'settlePayment=400');
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'settlePayment' });
    await expectInvariants(system);

    await deliverLate('payments');
    const state = await expectInvariants(system);
    expect(state.payments).toEqual([]);
    expect(state.invoices).toEqual([]);
  });
});

/** How many messages of a type a service has handled, by its inbox. */
async function handled(system: TestSystem, service: string, type: string): Promise<number> {
  return (await readEndState(system)).inbox[service]?.[type] ?? 0;
}
