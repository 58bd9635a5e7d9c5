import { describe, expect, it } from 'vitest';
import {
  deadlinePassed,
  given,
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
} from './order-saga.fixtures';
import { nextDeadline } from './deadlines';
import type { Outgoing } from '../contracts';

const TIMEOUT = policy.timeoutMs();
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

  it('stock that never answers: CANCELLED STEP_TIMEOUT naming the step, nothing owed', () => {
    const decision = given(orderRequested(), userVerified())
      .when(deadlinePassed('reserveStock'), late)
      .then({
        commands: [orderCancelled('STEP_TIMEOUT', 'reserveStock')],
        status: 'CANCELLED',
        stock: 'timed_out',
        failure: { reason: 'STEP_TIMEOUT', detail: 'reserveStock' },
      });
    expect(decision.state!.deadlines).toEqual({});
  });

  it('payment that never answers: the reserved stock is released, then CANCELLED STEP_TIMEOUT', () => {
    given(...readyToPay)
      .when(deadlinePassed('settlePayment'), late)
      .then({ commands: [releaseStock], status: 'COMPENSATING', payment: 'timed_out' });
    given(...readyToPay, deadlinePassed('settlePayment'))
      .when(stockReleased())
      .then({ commands: [orderCancelled('STEP_TIMEOUT', 'settlePayment')], status: 'CANCELLED' });
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

  it('a deadline whose step was answered since is dropped, so it never fires again', () => {
    const decision = given(orderRequested(), userVerified(), deadlinePassed('reserveStock'), stockReleased()).when(
      deadlinePassed('reserveStock'),
      late,
    ).decision;
    expect(decision.outcome.kind).toBe('ignored');
    expect(decision.state!.deadlines.reserveStock).toBeUndefined();
  });
});

describe('order saga: answers after the deadline', () => {
  const timedOutPayment = [...readyToPay, deadlinePassed('settlePayment')];

  it('a payment settled after its deadline is refunded and the order is told why', () => {
    given(...timedOutPayment, stockReleased())
      .when(paymentSettled())
      .then({
        commands: [refundPayment, lateNotice('settlePayment')],
        status: 'CANCELLED',
        payment: 'refunding',
        failure: { reason: 'STEP_TIMEOUT', detail: 'settlePayment' },
      });
    const refunded = given(...timedOutPayment, stockReleased(), paymentSettled())
      .when(paymentRefunded())
      .then({ commands: [], status: 'CANCELLED', payment: 'refunded' });
    expect(refunded.state!.deadlines).toEqual({});
  });

  it('a late settlement while compensation is still running is refunded before the order is cancelled', () => {
    given(...timedOutPayment)
      .when(paymentSettled())
      .then({ commands: [refundPayment, lateNotice('settlePayment')], status: 'COMPENSATING' });
    given(...timedOutPayment, paymentSettled(), stockReleased())
      .when(paymentRefunded())
      .then({ commands: [orderCancelled('STEP_TIMEOUT', 'settlePayment')], status: 'CANCELLED' });
  });

  it('stock reserved after its deadline is released; a late rejection needs nothing', () => {
    const timedOutStock = [orderRequested(), userVerified(), deadlinePassed('reserveStock')];
    given(...timedOutStock)
      .when(stockReserved())
      .then({ commands: [releaseStock, lateNotice('reserveStock')], status: 'CANCELLED', stock: 'releasing' });
    given(...timedOutStock, stockReserved())
      .when(stockReleased())
      .then({ commands: [], stock: 'released' });
    given(...timedOutStock)
      .when(stockRejected())
      .then({ commands: [], stock: 'rejected', failure: { reason: 'STEP_TIMEOUT', detail: 'reserveStock' } });
  });

  it('stock reserved after a rejection (a command resent after a restart) is released', () => {
    given(orderRequested(), userVerified(), stockRejected())
      .when(stockReserved())
      .then({ commands: [releaseStock, lateNotice('reserveStock')], status: 'CANCELLED', stock: 'releasing' });
  });

  it('a late release is itself timed and sent again until it is answered', () => {
    given(orderRequested(), userVerified(), deadlinePassed('reserveStock'), stockReserved())
      .when(deadlinePassed('releaseStock'), 2 * late)
      .then({ commands: [releaseStock], stock: 'releasing' });
  });

  it('the late answer of a user check that timed out has nothing to undo', () => {
    given(orderRequested(), stockReserved(), deadlinePassed('verifyUser'), stockReleased())
      .when(userVerified())
      .thenIgnored(/verifyUser had timed out/);
  });

  it('a payment is never refunded twice when its settlement is delivered again', () => {
    given(...timedOutPayment, paymentSettled())
      .when(paymentSettled())
      .thenIgnored(/payment already refunding/);
  });
});

describe('order saga: resending after a restart', () => {
  it('asks again for every answer still awaited', async () => {
    const { resendPending } = await import('./order-saga');
    const running = given(orderRequested(), userVerified()).state!;
    expect(resendPending(running)).toEqual([reserveStock]);
    const paying = given(...readyToPay).when(userVerified()).decision.state!;
    expect(resendPending(paying)).toEqual([settlePayment]);
  });
});
