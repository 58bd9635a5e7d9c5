import { afterEach, describe, expect, it } from 'vitest';
import { expectInvariants } from '../support/invariants';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

describe.each(transports)('recovery after a restart over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('a command lost with the process is sent again on start, and the saga completes', async () => {
    system = await startTestSystem(transport, {
      wrapBroker: (broker) => withFaults(broker, { seed: 7, drop: { types: ['SettlePayment'] } }),
    });
    const buyer = await system.api.customer();
    const mug = await system.api.createProduct({ priceCents: 250, stock: 4 });
    const placed = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    const admin = await system.api.adminToken();
    await waitFor(
      async () =>
        (await system.api.call('GET', `/sagas/${placed.body.id}`, { token: admin })).body?.state?.steps
          ?.settlePayment === 'pending',
      { what: 'the saga to ask for the payment' },
    );

    system = await system.restart();
    const order = await system.api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 250 });
    const trace = (await system.api.call('GET', `/sagas/${order.id}/trace`, { token: await system.api.adminToken() }))
      .body.messages;
    expect(trace).toContainEqual(expect.objectContaining({ type: 'SettlePayment', note: 'resent after a restart' }));
    await expectInvariants(system);
  });

  it('a deadline that passed while the orchestrator was down fires on start', async () => {
    let faults!: FaultyBroker;
    const env = { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=300' };
    system = await startTestSystem(transport, { env, wrapBroker: (broker) => (faults = withFaults(broker)) });
    faults.pause('payments');
    const buyer = await system.api.customer();
    const mug = await system.api.createProduct({ priceCents: 250, stock: 4 });
    const placed = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    const admin = await system.api.adminToken();
    await waitFor(
      async () =>
        (await system.api.call('GET', `/sagas/${placed.body.id}`, { token: admin })).body?.state?.steps
          ?.settlePayment === 'pending',
      { what: 'the saga to ask for the payment' },
    );
    system = await system.restart({ env, downForMs: 400 }); // down for longer than the deadline
    const order = await system.api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: 'settlePayment' });
    await expectInvariants(system);
  });
});
