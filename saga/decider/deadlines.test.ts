import { describe, expect, it } from 'vitest';
import {
  cancellationRequested,
  deadlinePassed,
  given,
  now,
  orderCancelled,
  orderRequested,
  paid,
  paymentSettled,
  policy,
  readyToPay,
  refundPayment,
  releaseStock,
  reserveStock,
  settlePayment,
  commitStock,
  stockCommitted,
  stockRejected,
  stockReleased,
  stockReserved,
  paymentRefunded,
  userVerified,
  verifyUser,
  TIMEOUT_MS,
} from './order-saga.fixtures';
import { nextDeadline } from './deadlines';
import { decide } from './decide';
import type { Outgoing } from '../../contracts';
import { orderSaga } from '../../contracts/steps';

const TIMEOUT = TIMEOUT_MS;
const late = TIMEOUT + 1;
const lateNotice = (step: 'reserveStock' | 'settlePayment'): Outgoing => ({
  type: 'LateReplyCompensated',
  data: {
    orderId: (releaseStock.data as { orderId: string }).orderId,
    step,
    compensation: step === 'settlePayment' ? 'RefundPayment' : 'ReleaseStock',
  },
});

describe('order saga: step deadlines', () => {
  it('every command sent starts its step clock; an answer stops it', () => {
    const started = given()
      .when(orderRequested())
      .then({ commands: [verifyUser, reserveStock] });
    expect(Object.keys(started.state!.deadlines).sort()).toEqual(['reserveStock', 'verifyUser']);
    expect(nextDeadline(started.state!)).toBe(new Date(policy.now.getTime() + TIMEOUT).toISOString());

    const verified = given(orderRequested()).when(userVerified()).then({ outcome: 'applied' });
    expect(Object.keys(verified.state!.deadlines)).toEqual(['reserveStock']);
  });

  it('a deadline not yet come is ignored', () => {
    given(orderRequested())
      .when(deadlinePassed('reserveStock'), TIMEOUT - 1)
      .thenIgnored(/no deadline of reserveStock has passed/);
  });

  it('stock that never answers: released as if it had reserved, then CANCELLED STEP_TIMEOUT naming the step', () => {
    given(orderRequested(), userVerified())
      .when(deadlinePassed('reserveStock'), late)
      .then({
        commands: [releaseStock],
        status: 'COMPENSATING',
        stock: 'releasing',
        failure: { reason: 'STEP_TIMEOUT', detail: 'reserveStock' },
      });
    const decision = given(orderRequested(), userVerified(), deadlinePassed('reserveStock'))
      .when(stockReleased())
      .then({ commands: [orderCancelled('STEP_TIMEOUT', 'reserveStock')], status: 'CANCELLED', stock: 'released' });
    expect(decision.state!.deadlines).toEqual({});
  });

  it('payment that never answers: refunded as if it had settled, the stock released, then CANCELLED STEP_TIMEOUT', () => {
    given(...readyToPay)
      .when(deadlinePassed('settlePayment'), late)
      .then({ commands: [releaseStock, refundPayment], status: 'COMPENSATING', payment: 'refunding' });
    given(...readyToPay, deadlinePassed('settlePayment'), stockReleased())
      .when(paymentRefunded())
      .then({ commands: [orderCancelled('STEP_TIMEOUT', 'settlePayment')], status: 'CANCELLED', payment: 'refunded' });
  });

  it('the user that never answers while stock is reserved: released, then cancelled', () => {
    given(orderRequested(), stockReserved())
      .when(deadlinePassed('verifyUser'), late)
      .then({ commands: [releaseStock], user: 'timed_out', failure: { reason: 'STEP_TIMEOUT', detail: 'verifyUser' } });
  });

  it('a commit or a compensation past its deadline is sent again, never given up', () => {
    given(...paid)
      .when(deadlinePassed('commitStock'), late)
      .then({ commands: [commitStock], status: 'RUNNING', stock: 'committing' });
    given(...readyToPay, paymentSettled(), deadlinePassed('commitStock'))
      .when(stockCommitted())
      .then({ status: 'CONFIRMED' });
  });

  it('a deadline whose step is no longer awaited is dropped, so it never fires again', () => {
    // Only an input the saga ignored can leave such a deadline behind; build that state directly.
    const reserved = given(...readyToPay).state!;
    const leftover = { ...reserved, deadlines: { ...reserved.deadlines, reserveStock: now.toISOString() } };
    const decision = decide(leftover, deadlinePassed('reserveStock'), { ...policy, now: new Date(now.getTime() + 1) });
    expect(decision.outcome).toEqual({ kind: 'ignored', why: 'reserveStock already succeeded' });
    expect(decision.commands).toEqual([]);
    expect(decision.state!.deadlines.reserveStock).toBeUndefined();
  });
});

describe('order saga: answers after the deadline', () => {
  const timedOutPayment = [...readyToPay, deadlinePassed('settlePayment')];

  it('a payment settled after its deadline is undone by the refund already sent, and the order is told why', () => {
    given(...timedOutPayment)
      .when(paymentSettled())
      .then({ commands: [lateNotice('settlePayment')], status: 'COMPENSATING', payment: 'refunding' });
    given(...timedOutPayment, paymentSettled(), stockReleased())
      .when(paymentRefunded())
      .then({ commands: [orderCancelled('STEP_TIMEOUT', 'settlePayment')], status: 'CANCELLED', payment: 'refunded' });
  });

  it('a settlement that arrives after the order was cancelled is noted, nothing more', () => {
    const refunded = given(...timedOutPayment, stockReleased(), paymentRefunded())
      .when(paymentSettled())
      .then({ commands: [lateNotice('settlePayment')], status: 'CANCELLED', payment: 'refunded' });
    expect(refunded.state!.deadlines).toEqual({});
  });

  it('stock reserved after its deadline is undone by the release already sent; a late rejection needs nothing', () => {
    const timedOutStock = [orderRequested(), userVerified(), deadlinePassed('reserveStock')];
    given(...timedOutStock)
      .when(stockReserved())
      .then({ commands: [lateNotice('reserveStock')], status: 'COMPENSATING', stock: 'releasing' });
    given(...timedOutStock, stockReserved())
      .when(stockReleased())
      .then({ commands: [orderCancelled('STEP_TIMEOUT', 'reserveStock')], status: 'CANCELLED', stock: 'released' });
    given(...timedOutStock)
      .when(stockRejected())
      .thenIgnored(/reserveStock had timed out; nothing to undo/);
  });

  it('an unanswered release is sent again until it is answered', () => {
    const resent = given(orderRequested(), userVerified(), deadlinePassed('reserveStock'))
      .when(deadlinePassed('releaseStock'), 2 * late)
      .then({ commands: [releaseStock], status: 'COMPENSATING', stock: 'releasing' });
    expect(resent.state!.deadlines.releaseStock, 'the resent release has a deadline of its own').toBe(
      new Date(now.getTime() + 2 * late + TIMEOUT).toISOString(),
    );
  });

  it('an unanswered refund is sent again until it is answered', () => {
    const cancelled = given(...paid)
      .when(cancellationRequested())
      .then({ commands: [refundPayment] });
    expect(Object.keys(cancelled.state!.deadlines), 'the refund starts its clock').toContain('refundPayment');
    const resent = given(...paid, cancellationRequested())
      .when(deadlinePassed('refundPayment'), late)
      .then({ commands: [refundPayment], status: 'COMPENSATING', payment: 'refunding' });
    expect(resent.state!.deadlines.refundPayment).toBe(new Date(now.getTime() + late + TIMEOUT).toISOString());
  });

  it('the late answer of a user check that timed out has nothing to undo', () => {
    given(orderRequested(), stockReserved(), deadlinePassed('verifyUser'), stockReleased())
      .when(userVerified())
      .thenIgnored(/verifyUser had timed out/);
  });

  it('a late settlement delivered again is noted only once', () => {
    given(...timedOutPayment, paymentSettled())
      .when(paymentSettled())
      .thenIgnored(/late answer is already noted/);
  });
});

describe('order saga: resending after a restart', () => {
  it('asks again for every answer still awaited', async () => {
    const { resendPending } = await import('./decide');
    const running = given(orderRequested(), userVerified()).state!;
    expect(resendPending(orderSaga, running)).toEqual([reserveStock]);
    const paying = given(...readyToPay).when(userVerified()).decision.state!;
    expect(resendPending(orderSaga, paying)).toEqual([settlePayment]);
  });
});
