import { describe, expect, it } from 'vitest';
import type { SagaInput } from './state';
import {
  TIMEOUT_MS,
  commitStock,
  given,
  message,
  now,
  orderCancelled,
  orderId,
  orderRequested,
  paid,
  paymentRefunded,
  paymentSettled,
  readyToPay,
  refundPayment,
  releaseStock,
  reserveStock,
  settlePayment,
  started,
  stockCommitted,
  stockRejected,
  stockReleased,
  userVerified,
  verifyUser,
} from './order-saga.fixtures';

const by = 'operator-1';
const cancel = (reason = 'payments provider down'): SagaInput => ({
  type: 'CancelSaga',
  data: { orderId, by, reason },
});
const retry: SagaInput = { type: 'RetrySaga', data: { orderId, by, reason: 'products is back' } };
const extend = (byMs: number): SagaInput => ({ type: 'ExtendSaga', data: { orderId, by, reason: 'slow bank', byMs } });
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

describe('order saga: an operator cancels', () => {
  it('before any answer: undoes what may have happened once it is known, CANCELLED_BY_OPERATOR with the reason', () => {
    given(...started)
      .when(cancel())
      .then({
        commands: [],
        status: 'COMPENSATING',
        failure: { reason: 'CANCELLED_BY_OPERATOR', detail: 'payments provider down' },
      });
    given(...started, cancel())
      .when(stockRejected())
      .then({ commands: [orderCancelled('CANCELLED_BY_OPERATOR', 'payments provider down')], status: 'CANCELLED' });
  });

  it('while the payment is settling: waits for it, then refunds once and restocks', () => {
    given(...readyToPay)
      .when(cancel())
      .then({ commands: [releaseStock], stock: 'releasing', payment: 'pending' });
    given(...readyToPay, cancel())
      .when(paymentSettled())
      .then({ commands: [refundPayment], payment: 'refunding' });
    given(...readyToPay, cancel(), paymentSettled(), stockReleased())
      .when(paymentRefunded())
      .then({ commands: [orderCancelled('CANCELLED_BY_OPERATOR', 'payments provider down')], status: 'CANCELLED' });
  });

  it('while the stock commits: waits for the commit, then releases it and refunds', () => {
    given(...paid)
      .when(cancel())
      .then({ commands: [refundPayment], stock: 'committing', payment: 'refunding' });
    given(...paid, cancel())
      .when(stockCommitted())
      .then({ commands: [releaseStock], stock: 'releasing' });
  });

  it('through the orders API: an admin’s cancel carries a reason and is an operator’s', () => {
    const byAdmin = message('OrderCancellationRequested', { orderId, requestedBy: by, reason: 'fraud suspected' });
    given(...readyToPay)
      .when(byAdmin)
      .then({ commands: [releaseStock], failure: { reason: 'CANCELLED_BY_OPERATOR', detail: 'fraud suspected' } });
  });

  it('changes nothing of a saga already compensating, or ended', () => {
    given(...started, cancel('first'))
      .when(cancel('second'))
      .thenIgnored(/saga already compensating \(CANCELLED_BY_OPERATOR\)/);
    given(...paid, stockCommitted())
      .when(cancel())
      .thenIgnored(/saga already CONFIRMED/);
  });
});

describe('order saga: an operator retries', () => {
  it('sends the command of every step still awaited again, keeping their deadlines', () => {
    const waiting = given(...started);
    waiting.when(retry, 5_000).then({ commands: [verifyUser, reserveStock], outcome: 'applied' });
    const retried = waiting.when(retry, 5_000).decision;
    expect(retried.state!.deadlines).toEqual(waiting.state!.deadlines);
    given(...readyToPay)
      .when(retry)
      .then({ commands: [settlePayment] });
    given(...paid)
      .when(retry)
      .then({ commands: [commitStock] });
  });

  it('of an ended saga does nothing', () => {
    given(...paid, stockCommitted())
      .when(retry)
      .thenIgnored(/saga already CONFIRMED/);
  });
});

describe('order saga: an operator extends the deadlines', () => {
  it('moves every awaited step’s deadline on by the time given, and sends nothing', () => {
    const extended = given(orderRequested(), userVerified())
      .when(extend(600_000))
      .then({ commands: [], outcome: 'applied' });
    expect(extended.state!.deadlines).toEqual({ reserveStock: at(TIMEOUT_MS + 600_000) });
  });

  it('so the step is not given up when its old deadline comes, only at the new one', () => {
    const extended = given(...readyToPay, extend(60_000));
    extended
      .when({ type: 'DeadlinePassed', data: { orderId, step: 'settlePayment' } }, TIMEOUT_MS)
      .thenIgnored(/no deadline of settlePayment has passed/);
    extended
      .when({ type: 'DeadlinePassed', data: { orderId, step: 'settlePayment' } }, TIMEOUT_MS + 60_000)
      .then({ commands: [releaseStock, refundPayment], failure: { reason: 'STEP_TIMEOUT', detail: 'settlePayment' } });
  });
});
