import { describe, expect, it } from 'vitest';
import type { OrderMessage } from '../contracts';
import { decide } from './order-saga';
import {
  cancellationRequested,
  card,
  given,
  invoiceId,
  items,
  lines,
  message,
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
      .thenIgnored(/stock already reserved/);
  });

  it('StockReserved again once payment is pending does not issue a second SettlePayment', () => {
    given(...readyToPay)
      .when(stockReserved())
      .thenIgnored(/stock already/);
  });

  it('UserVerified twice', () => {
    given(orderRequested(), userVerified())
      .when(userVerified())
      .thenIgnored(/user already verified/);
  });

  it('UserVerified after UserRejected', () => {
    given(orderRequested(), userRejected())
      .when(userVerified())
      .thenIgnored(/user already rejected/);
  });

  it('StockRejected after StockReserved', () => {
    given(orderRequested(), stockReserved())
      .when(stockRejected())
      .thenIgnored(/stock already reserved/);
  });

  it('PaymentSettled twice, and PaymentSettled before any SettlePayment', () => {
    given(...paid)
      .when(paymentSettled())
      .thenIgnored(/payment already settled/);
    given(...started)
      .when(paymentSettled())
      .thenIgnored(/payment already not_started/);
  });

  it('PaymentDeclined after PaymentSettled', () => {
    given(...paid)
      .when(paymentDeclined())
      .thenIgnored(/payment already settled/);
  });

  it('StockCommitted when not committing', () => {
    given(...readyToPay)
      .when(stockCommitted())
      .thenIgnored(/stock is reserved/);
    given(...paid, stockCommitted())
      .when(stockCommitted())
      .thenIgnored(/saga already CONFIRMED/);
  });

  it('StockReleased when nothing is being released', () => {
    given(orderRequested(), stockReserved())
      .when(stockReleased())
      .thenIgnored(/stock is reserved/);
  });

  it('PaymentRefunded when nothing is being refunded', () => {
    given(...paid)
      .when(paymentRefunded())
      .thenIgnored(/payment is settled/);
  });

  it('a reply for an unknown saga (state undefined)', () => {
    for (const reply of [
      userVerified(),
      stockReserved(),
      paymentSettled(),
      stockCommitted(),
      cancellationRequested(),
    ]) {
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
