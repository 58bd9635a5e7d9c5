import { afterEach, describe, expect, it } from 'vitest';
import { expectInvariants } from '../support/invariants';
import { readEndState } from '../support/end-state';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

describe.each(transports)('step deadlines over the %s broker', (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  afterEach(() => system.stop());

  it('payments down past its deadline: the stock is released and the order waits for the refund; back up: the late charge is refunded, then STEP_TIMEOUT', async () => {
    system = await startTestSystem(transport, {
      env: { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=400' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 500, stock: 3 });
    const admin = await api.adminToken();
    faults.pause('payments');

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    expect(placed.status).toBe(202);
    // The charge may have happened: the saga refunds it before it cancels, so it waits for payments.
    await waitFor(
      async () =>
        (await api.call('GET', `/sagas/${placed.body.id}`, { token: admin })).body?.state?.steps?.refundPayment ===
        'pending',
      { what: 'the saga to refund the payment that did not answer' },
    );
    await waitFor(async () => (await api.product(mug.id)).reserved === 0, { what: 'the stock to be released' });
    expect(await api.product(mug.id)).toMatchObject({ stock: 3, reserved: 0, sold: 0 });
    expect((await api.call('GET', `/orders/${placed.body.id}`, { token: buyer.token })).body.status).toBe('PENDING');

    faults.resume('payments');
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'settlePayment' });
    const state = await expectInvariants(system);
    expect(state.payments).toMatchObject([{ order_id: order.id, status: 'refunded', amount_cents: 1000 }]);
    expect(order.history.map((entry) => entry.detail)).toContain(
      'the payment settled after its deadline, so it was refunded',
    );

    const trace = (await api.call('GET', `/sagas/${order.id}/trace`, { token: admin })).body.messages;
    expect(trace.map((m: { type: string }) => m.type)).toEqual(
      expect.arrayContaining([
        'DeadlinePassed',
        'RefundPayment',
        'PaymentSettled',
        'LateReplyCompensated',
        'PaymentRefunded',
      ]),
    );
  });

  it('stock that never answers: released all the same, so nothing stays held after STEP_TIMEOUT', async () => {
    system = await startTestSystem(transport, {
      env: { SAGA_STEP_TIMEOUTS_MS: 'reserveStock=400' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 500, stock: 3 });
    faults.pause('products');

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    await waitFor(async () => (await readEndState(system)).sagas[0]?.status === 'COMPENSATING', {
      what: 'the reservation to time out',
    });
    // products comes back and takes ReserveStock, then the ReleaseStock that undoes it.
    faults.resume('products');
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'reserveStock' });
    await expectInvariants(system);
    expect(await api.product(mug.id)).toMatchObject({ stock: 3, reserved: 0, sold: 0 });
  });
});
