import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS, type Saga } from '../support/api';
import { captureLogs, type LogLine } from '../support/captured-logs';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';

/**
 * The log at its default level tells each order's story: one grep of its id gives the saga's
 * steps as the orchestrator took them and each command as its participant handled it, in order.
 */
describe('logs that follow a saga', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  /** The lines one grep of `orderId` finds that tell its story (not the HTTP access lines). */
  const storyOf = (lines: LogLine[], orderId: string) =>
    lines.filter((line) => JSON.stringify(line).includes(orderId) && line.msg !== 'request');

  /** A line in short: who, which step, which message, and what came of it. */
  const said = (line: LogLine) => `${line.service} ${line.step}: ${line.type ?? '-'} ${line.outcome}`;

  /** Asserts that each line of `sequence` was said once, in that order. */
  const inOrder = (story: string[], ...sequence: string[]) => {
    const at = sequence.map((line) => {
      expect(
        story.filter((each) => each === line),
        line,
      ).toHaveLength(1);
      return story.indexOf(line);
    });
    expect(at, sequence.join(' → ')).toEqual([...at].sort((a, b) => a - b));
  };

  it('a confirmed order and a declined one: each step, each command handled, the compensation, the end and why', async () => {
    const logs = captureLogs('info');
    system = await startTestSystem('in-process', { logger: logs.logger });
    const { api } = system;
    const buyer = await api.customer('Ann');
    const mug = await api.createProduct({ priceCents: 900, stock: 10 });
    const [confirmed, declined] = await Promise.all([
      api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }], CARDS.settles),
      api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.declined),
    ]);
    expect(await api.settled(buyer.token, confirmed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(await api.settled(buyer.token, declined.body.id)).toMatchObject({ status: 'CANCELLED' });
    // Orders logs the outcome it recorded once that has committed, which a poll may see first.
    const recorded = () => logs.parsed().filter((line) => line.service === 'orders' && line.msg === 'message handled');
    await waitFor(() => recorded().length === 2, {
      what: 'orders to log both outcomes',
    });
    await expectInvariants(system);
    const lines = logs.parsed();

    const story = storyOf(lines, confirmed.body.id);
    expect(story.map(said).sort()).toEqual(
      [
        'orchestrator saga: OrderRequested started',
        'orchestrator verifyUser: VerifyUser sent',
        'orchestrator reserveStock: ReserveStock sent',
        'users verifyUser: VerifyUser user verified',
        'products reserveStock: ReserveStock stock reserved',
        'orchestrator verifyUser: UserVerified user verified',
        'orchestrator reserveStock: StockReserved stock reserved',
        'orchestrator settlePayment: SettlePayment sent',
        'payments settlePayment: SettlePayment payment settled',
        'orchestrator settlePayment: PaymentSettled payment settled',
        'orchestrator commitStock: CommitStock sent',
        'products commitStock: CommitStock stock committed',
        'orchestrator commitStock: StockCommitted stock committed',
        'orchestrator saga: - CONFIRMED',
        'orchestrator saga: OrderConfirmed sent',
        'orders saga: OrderConfirmed applied',
      ].sort(),
    );
    const told = story.map(said);
    expect(told[0]).toBe('orchestrator saga: OrderRequested started');
    for (const [step, participant, command, reply, outcome] of [
      ['verifyUser', 'users', 'VerifyUser', 'UserVerified', 'user verified'],
      ['reserveStock', 'products', 'ReserveStock', 'StockReserved', 'stock reserved'],
      ['settlePayment', 'payments', 'SettlePayment', 'PaymentSettled', 'payment settled'],
      ['commitStock', 'products', 'CommitStock', 'StockCommitted', 'stock committed'],
    ])
      inOrder(
        told,
        `orchestrator ${step}: ${command} sent`,
        `${participant} ${step}: ${command} ${outcome}`,
        `orchestrator ${step}: ${reply} ${outcome}`,
      );
    inOrder(
      told,
      'orchestrator verifyUser: UserVerified user verified',
      'orchestrator reserveStock: StockReserved stock reserved',
      'orchestrator settlePayment: SettlePayment sent',
    );
    inOrder(
      told,
      'orchestrator commitStock: StockCommitted stock committed',
      'orchestrator saga: - CONFIRMED',
      'orchestrator saga: OrderConfirmed sent',
      'orders saga: OrderConfirmed applied',
    );
    expect(story.find((line) => line.outcome === 'CONFIRMED')).not.toHaveProperty('reason');

    const cancelled = storyOf(lines, declined.body.id);
    const toldCancelled = cancelled.map(said);
    expect(toldCancelled).not.toContain('orchestrator commitStock: CommitStock sent');
    inOrder(
      toldCancelled,
      'orchestrator saga: OrderRequested started',
      'orchestrator settlePayment: SettlePayment sent',
      'payments settlePayment: SettlePayment payment declined',
      'orchestrator settlePayment: PaymentDeclined payment declined',
      'orchestrator releaseStock: ReleaseStock sent',
      'products releaseStock: ReleaseStock stock released',
      'orchestrator releaseStock: StockReleased stock released',
      'orchestrator saga: - CANCELLED',
      'orchestrator saga: OrderCancelled sent',
      'orders saga: OrderCancelled applied',
    );
    expect(cancelled.find((line) => line.type === 'SettlePayment' && line.service === 'payments')).toMatchObject({
      reason: 'PAYMENT_DECLINED',
      detail: 'card_declined',
    });
    expect(cancelled.find((line) => line.type === 'ReleaseStock' && line.outcome === 'sent')).toMatchObject({
      kind: 'compensation',
    });
    expect(cancelled.find((line) => line.outcome === 'CANCELLED')).toMatchObject({
      reason: 'PAYMENT_DECLINED',
      detail: 'card_declined',
    });

    // Every line of a story says which order, step and outcome, at info, with the request's trace id.
    for (const [orderId, told] of [
      [confirmed.body.id, story],
      [declined.body.id, cancelled],
    ] as const) {
      const { traceId } = lines.find((line) => line.msg === 'request' && line.orderId === orderId)!;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      for (const line of told)
        expect(line, said(line)).toMatchObject({
          level: 30,
          msg: expect.stringMatching(/^(saga step|message handled)$/),
          orderId,
          step: expect.any(String),
          outcome: expect.any(String),
          traceId,
        });
    }

    // No line carries a card number, a token or a password.
    const written = logs.lines.join('');
    for (const secret of [CARDS.settles, CARDS.declined, buyer.token, await api.adminToken(), 'a-long-enough-password'])
      expect(written).not.toContain(secret);
  });

  it('a deadline that fires, and an operator who extends a step then cancels the saga', async () => {
    const logs = captureLogs('info');
    let faults!: FaultyBroker;
    system = await startTestSystem('in-process', {
      logger: logs.logger,
      env: { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=1000', SAGA_MAX_EXTEND_MS: '120000' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    faults.pause('payments');
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 250, stock: 5 });
    const [timedOut, operated] = await Promise.all([
      api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]),
      api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]),
    ]);
    const orderId = operated.body.id;
    const act = async (action: string, body: object) =>
      expect(
        (await api.call('POST', `/sagas/${orderId}/${action}`, { token: await api.adminToken(), body })).status,
      ).toBe(202);
    // Until the orchestrator has taken the order, its saga is not found.
    const sagaOf = async (id: string) =>
      (await api.call<Saga>('GET', `/sagas/${id}`, { token: await api.adminToken() })).body as Partial<Saga>;
    await waitFor(async () => (await sagaOf(orderId)).state?.steps.settlePayment === 'pending', {
      what: 'the saga to ask for the payment',
    });
    await act('extend', { byMs: 60_000, reason: 'the bank is slow' });
    await waitFor(async () => (await sagaOf(timedOut.body.id)).status === 'COMPENSATING', {
      what: 'the payment of the other order to time out',
    });
    await act('cancel', { reason: 'the customer called' });
    faults.resume('payments');
    for (const placed of [timedOut, operated]) await api.settled(buyer.token, placed.body.id);
    const lines = logs.parsed();

    const late = storyOf(lines, timedOut.body.id);
    inOrder(
      late.map(said),
      'orchestrator settlePayment: SettlePayment sent',
      'orchestrator settlePayment: DeadlinePassed deadline passed',
      'orchestrator refundPayment: RefundPayment sent',
      'payments refundPayment: RefundPayment payment refunded',
      'orchestrator refundPayment: PaymentRefunded payment refunded',
      'orchestrator saga: - CANCELLED',
    );
    expect(late.find((line) => line.outcome === 'CANCELLED')).toMatchObject({
      reason: 'STEP_TIMEOUT',
      detail: 'settlePayment',
    });

    const acted = storyOf(lines, orderId);
    inOrder(
      acted.map(said),
      'orchestrator saga: ExtendSaga extend saga',
      'orchestrator saga: CancelSaga cancel saga',
      'orchestrator releaseStock: ReleaseStock sent',
      'orchestrator saga: - CANCELLED',
    );
    expect(acted.find((line) => line.type === 'ExtendSaga')).toMatchObject({
      by: expect.stringMatching(/^[0-9a-f-]{36}$/),
      reason: 'the bank is slow',
      byMs: 60_000,
    });
    expect(acted.find((line) => line.type === 'CancelSaga')).toMatchObject({ reason: 'the customer called' });
    expect(acted.find((line) => line.outcome === 'CANCELLED')).toMatchObject({
      reason: 'CANCELLED_BY_OPERATOR',
      detail: 'the customer called',
    });
  });
});
