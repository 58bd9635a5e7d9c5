import { afterEach, describe, expect, it } from 'vitest';
import { expectInvariants } from '../support/invariants';
import { readEndState } from '../support/end-state';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../support/wait';

describe.each(transports)('step deadlines over the %s broker', (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  afterEach(() => system.stop());

  it('payments down past its deadline: STEP_TIMEOUT and restocked; back up: the late settlement is refunded', async () => {
    system = await startTestSystem(transport, {
      env: { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=400' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 500, stock: 3 });
    faults.pause('payments');

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'settlePayment' });
    expect(await api.product(mug.id)).toMatchObject({ stock: 3, reserved: 0, sold: 0 });
    expect(readEndState(system.dataDir).payments).toEqual([]);

    faults.resume('payments');
    await waitFor(() => readEndState(system.dataDir).payments.some((p) => p.status === 'refunded'), {
      what: 'the late payment to be refunded',
    });
    const state = await expectInvariants(system.dataDir);
    expect(state.payments).toMatchObject([{ order_id: order.id, status: 'refunded', amount_cents: 1000 }]);

    const history = (await api.call('GET', `/orders/${order.id}`, { token: buyer.token })).body.history;
    await waitFor(
      async () => {
        const latest = (await api.call('GET', `/orders/${order.id}`, { token: buyer.token })).body;
        return latest.history.some((entry: { detail?: string }) => entry.detail?.includes('refunded'));
      },
      { what: "the order's history to say the payment was refunded" },
    );
    expect(history[1]).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT' });

    const trace = (await api.call('GET', `/sagas/${order.id}/trace`, { token: await api.adminToken() })).body.messages;
    const types = trace.map((m: { type: string }) => m.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'DeadlinePassed',
        'PaymentSettled',
        'RefundPayment',
        'LateReplyCompensated',
        'PaymentRefunded',
      ]),
    );
  });
});
