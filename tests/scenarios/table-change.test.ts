import { afterEach, describe, expect, it } from 'vitest';
import { orderSaga, type SagaDefinition } from '../../contracts/steps';
import { waitFor } from '../../lib/wait';
import { captureLogs } from '../support/captured-logs';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

/**
 * A release that changes the step table: here the stock is committed before the payment
 * rather than after it. Sagas already running finish under the table they started with; an
 * instance of the older release leaves a saga of the newer table to the instances that know it.
 */
const commitFirst: SagaDefinition = {
  ...orderSaga,
  version: orderSaga.version + 1,
  steps: {
    ...orderSaga.steps,
    commitStock: { ...orderSaga.steps.commitStock, needs: ['verifyUser', 'reserveStock'] },
    settlePayment: { ...orderSaga.steps.settlePayment, needs: ['commitStock'] },
  },
};

describe.each(transports)('a change of the step table over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  /** Where the saga's steps stand; none before the orchestrator took the order. */
  const stepsOf = async (orderId: string) =>
    (
      await system.api.call<{ state?: { steps?: Record<string, string> } }>('GET', `/sagas/${orderId}`, {
        token: await system.api.adminToken(),
      })
    ).body?.state?.steps;

  /** The commands the saga of `orderId` sent, in order. */
  const sent = async (orderId: string) =>
    (await system.api.trace(orderId)).filter((entry) => entry.direction === 'out').map((entry) => entry.type);

  it('a saga started before the change ends under its table; one started after runs under the new', async () => {
    let faults!: FaultyBroker;
    system = await startTestSystem(transport, { wrapBroker: (broker) => (faults = withFaults(broker)) });
    faults.pause('users');
    faults.pause('products');
    const buyer = await system.api.customer();
    const mug = await system.api.createProduct({ priceCents: 250, stock: 5 });
    const before = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    await waitFor(async () => (await stepsOf(before.body.id))?.verifyUser === 'pending', {
      what: 'the first saga to wait on the user and the stock',
    });

    system = await system.restart({ sagaDefinitions: [orderSaga, commitFirst] });
    const after = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    for (const placed of [before, after]) {
      expect(await system.api.settled(buyer.token, placed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    }

    expect((await system.api.saga(before.body.id)).state.definition).toBe(orderSaga.version);
    const old = await sent(before.body.id);
    expect(old.indexOf('SettlePayment')).toBeLessThan(old.indexOf('CommitStock'));
    expect((await system.api.saga(after.body.id)).state.definition).toBe(commitFirst.version);
    const changed = await sent(after.body.id);
    expect(changed.indexOf('CommitStock')).toBeLessThan(changed.indexOf('SettlePayment'));
    await expectInvariants(system);
  });

  it('an instance that does not know a saga’s table leaves its messages to one that does, logged and counted', async () => {
    let faults!: FaultyBroker;
    system = await startTestSystem(transport, {
      sagaDefinitions: [orderSaga, commitFirst],
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    faults.pause('payments');
    const buyer = await system.api.customer();
    const mug = await system.api.createProduct({ priceCents: 250, stock: 5 });
    const placed = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    await waitFor(async () => (await stepsOf(placed.body.id))?.settlePayment === 'pending', {
      what: 'the saga to ask for the payment',
    });
    const waiting = await system.api.saga(placed.body.id);

    // The older release comes back first: payments answers, and the orchestrator puts the answer back.
    const logs = captureLogs('warn');
    system = await system.restart({ logger: logs.logger });
    const left = /shop_messages_total\{queue="orchestrator",type="PaymentSettled",outcome="left_to_others"\} (\d+)/;
    await waitFor(async () => left.test(await (await system.app.request('/metrics')).text()), {
      what: 'the answer to be left to another instance',
    });
    expect(logs.parsed()).toContainEqual(
      expect.objectContaining({
        msg: 'message left to another instance',
        type: 'PaymentSettled',
        reason: `the saga runs under version ${commitFirst.version} of the step table, which this process does not know`,
      }),
    );
    const untouched = await system.api.saga(placed.body.id);
    expect(untouched).toMatchObject({ status: 'RUNNING', version: waiting.version, state: waiting.state });
    const order = await system.api.call<{ status: string }>('GET', `/orders/${placed.body.id}`, { token: buyer.token });
    expect(order.body.status).toBe('PENDING');

    // The newer release takes it up, and the saga ends under its own table.
    system = await system.restart({ sagaDefinitions: [orderSaga, commitFirst] });
    expect(await system.api.settled(buyer.token, placed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    await expectInvariants(system);
  });
});
