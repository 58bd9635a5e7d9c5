import { afterEach, describe, expect, it } from 'vitest';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { cancelMidCommit, expectUndone } from '../support/mid-commit';
import { startTestSystem, transports, type TestSystem } from '../support/system';

/**
 * A compensation whose command or answer is lost. Compensations must finish whatever happens,
 * so the step's deadline sends the command again, and the participant, which acts once per
 * order, answers it as it answered the first: the money comes back once, the stock once.
 */
describe.each(transports)('lost compensations over the %s broker', (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  afterEach(() => system.stop());

  it.each([
    ['RefundPayment', 'refundPayment', 'RefundPayment'],
    ['PaymentRefunded', 'refundPayment', 'RefundPayment'],
    ['ReleaseStock', 'releaseStock', 'ReleaseStock'],
    ['StockReleased', 'releaseStock', 'ReleaseStock'],
  ] as const)('the first %s lost: the %s deadline sends %s again, and it is done once', async (lost, step, command) => {
    system = await startTestSystem(transport, {
      env: { SAGA_STEP_TIMEOUTS_MS: `${step}=300` },
      wrapBroker: (broker) => (faults = withFaults(broker, { seed: 1, drop: { types: [lost], limit: 1 } })),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 450, stock: 4 });

    const order = await cancelMidCommit(system, faults, { when: 'before', buyer, productId: mug.id, quantity: 3 });
    expect(faults.injected.dropped).toBe(1);
    const { trace } = await expectUndone(system, { buyer, order, productId: mug.id, stock: 4 });

    const deadline = trace.filter((m) => m.type === 'DeadlinePassed');
    expect(deadline).toMatchObject([{ outcome: 'applied', note: `${step} deadline` }]);
    const sent = trace.filter((m) => m.type === command);
    expect(sent, `${command} sent, then again on the deadline`).toMatchObject([
      { direction: 'out' },
      { direction: 'out', causationId: deadline[0]!.messageId },
    ]);
  });
});
