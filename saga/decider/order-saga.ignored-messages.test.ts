import { describe, expect, it } from 'vitest';
import type { OrderMessage } from '../../contracts';
import type { StepName } from '../../contracts/steps';
import { decide, type SagaState } from './decide';
import {
  cancellationRequested,
  card,
  given,
  invoiceId,
  deadlinePassed,
  items,
  lines,
  message,
  now,
  orderId,
  orderRequested,
  paid,
  paymentDeclined,
  paymentRefunded,
  paymentSettled,
  policy,
  readyToPay,
  started,
  stockCommitted,
  stockRejected,
  stockReleased,
  stockReserved,
  totalCents,
  userId,
  userRejected,
  userVerified,
} from './order-saga.fixtures';

describe('order saga: duplicate and out-of-place messages are ignored', () => {
  it('StockReserved twice', () => {
    given(orderRequested(), stockReserved())
      .when(stockReserved())
      .thenIgnored(/reserveStock already succeeded/);
  });

  it('StockReserved again once payment is pending does not issue a second SettlePayment', () => {
    given(...readyToPay)
      .when(stockReserved())
      .thenIgnored(/reserveStock already/);
  });

  it('UserVerified twice', () => {
    given(orderRequested(), userVerified())
      .when(userVerified())
      .thenIgnored(/verifyUser already succeeded/);
  });

  it('UserVerified after UserRejected', () => {
    given(orderRequested(), userRejected())
      .when(userVerified())
      .thenIgnored(/verifyUser already failed/);
  });

  it('UserRejected after UserVerified', () => {
    given(orderRequested(), userVerified())
      .when(userRejected())
      .thenIgnored(/verifyUser already succeeded/);
  });

  it('StockRejected after StockReserved', () => {
    given(orderRequested(), stockReserved())
      .when(stockRejected())
      .thenIgnored(/reserveStock already succeeded/);
  });

  it('PaymentSettled twice, and PaymentSettled before any SettlePayment', () => {
    given(...paid)
      .when(paymentSettled())
      .thenIgnored(/settlePayment already succeeded/);
    given(...started)
      .when(paymentSettled())
      .thenIgnored(/settlePayment has not started/);
  });

  it('PaymentDeclined after PaymentSettled', () => {
    given(...paid)
      .when(paymentDeclined())
      .thenIgnored(/settlePayment already succeeded/);
  });

  it('StockCommitted when not committing', () => {
    given(...readyToPay)
      .when(stockCommitted())
      .thenIgnored(/commitStock has not started/);
    given(...paid, stockCommitted())
      .when(stockCommitted())
      .thenIgnored(/saga already CONFIRMED/);
  });

  it('StockReleased when nothing is being released', () => {
    given(orderRequested(), stockReserved())
      .when(stockReleased())
      .thenIgnored(/releaseStock has not started/);
  });

  it('PaymentRefunded when nothing is being refunded', () => {
    given(...paid)
      .when(paymentRefunded())
      .thenIgnored(/refundPayment has not started/);
  });

  it('a reply for an unknown saga (state undefined)', () => {
    for (const reply of [userVerified(), stockReserved(), paymentSettled(), stockCommitted()]) {
      given()
        .when(reply)
        .thenIgnored(/no saga/);
    }
  });

  it("commands and the saga's own events fed back to it", () => {
    const notInputs: OrderMessage[] = [
      message('VerifyUser', { orderId, userId }),
      message('ReserveStock', { orderId, items }),
      message('SettlePayment', { orderId, userId, lines, amountCents: totalCents, card }),
      message('CommitStock', { orderId }),
      message('ReleaseStock', { orderId }),
      message('RefundPayment', { orderId }),
      message('OrderConfirmed', { orderId, lines, totalCents, invoiceId }),
      message('OrderCancelled', { orderId, reason: 'OUT_OF_STOCK' }),
      message('LateReplyCompensated', { orderId, step: 'settlePayment', compensation: 'RefundPayment' }),
    ];
    for (const m of notInputs) {
      given(...readyToPay)
        .when(m)
        .thenIgnored(new RegExp(`${m.type} is not an input`));
    }
  });

  it('decide does not mutate the state it is given', () => {
    const { state } = given(...readyToPay);
    const snapshot = structuredClone(state);
    decide(state, paymentSettled(), policy);
    decide(state, cancellationRequested(), policy);
    expect(state).toEqual(snapshot);
  });
});

describe('order saga: a deadline left behind is dropped, never acted on', () => {
  // Only an input the saga ignored can leave one behind (see deadlines.test.ts); built directly.
  function fire(state: SagaState, step: StepName) {
    const leftover = { ...state, deadlines: { ...state.deadlines, [step]: now.toISOString() } };
    const decision = decide(leftover, deadlinePassed(step), { ...policy, now: new Date(now.getTime() + 1) });
    expect(decision.commands).toEqual([]);
    expect(decision.state).toEqual(state);
    return decision.outcome;
  }

  it('of a forward step already answered', () => {
    expect(fire(given(orderRequested(), userVerified()).state!, 'verifyUser')).toEqual({
      kind: 'ignored',
      why: 'verifyUser already succeeded',
    });
    expect(fire(given(...paid).state!, 'settlePayment')).toEqual({
      kind: 'ignored',
      why: 'settlePayment already succeeded',
    });
  });

  it('of a commit or a compensation not awaited', () => {
    for (const step of ['commitStock', 'releaseStock', 'refundPayment'] as const) {
      expect(fire(given(...readyToPay).state!, step)).toEqual({ kind: 'ignored', why: `${step} has not started` });
    }
  });

  it('of a saga that has ended, even on a step it never heard back from', () => {
    const cancelled = given(orderRequested(), stockRejected()).state!;
    expect(cancelled.steps.verifyUser).toBe('pending');
    expect(fire(cancelled, 'verifyUser')).toEqual({ kind: 'ignored', why: 'saga already CANCELLED' });
  });
});
