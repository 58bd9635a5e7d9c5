import { describe, expect, it } from 'vitest';
import { orderSaga } from '../../contracts/steps';
import { resendPending } from './decide';
import {
  card,
  commitStock,
  given,
  items,
  lines,
  orderConfirmed,
  orderId,
  orderRequested,
  paid,
  paymentSettled,
  readyToPay,
  reserveStock,
  settlePayment,
  started,
  stockCommitted,
  stockReserved,
  totalCents,
  userId,
  userVerified,
  verifyUser,
} from './order-saga.fixtures';

describe('order saga: start', () => {
  it('OrderRequested starts the saga with VerifyUser and ReserveStock in parallel, nothing else', () => {
    given()
      .when(orderRequested())
      .then({
        commands: [verifyUser, reserveStock],
        outcome: 'applied',
        status: 'RUNNING',
        user: 'pending',
        stock: 'pending',
        payment: 'not_started',
        failure: null,
      });
  });

  it('records the order, the user, the items and the sealed card from the request', () => {
    const { state } = given(orderRequested());
    expect(state).toMatchObject({ orderId, userId, items, card });
  });

  it('awaits both parallel steps: a restart before either answered asks both again', () => {
    expect(resendPending(orderSaga, given(...started).state!)).toEqual([verifyUser, reserveStock]);
  });

  it('a second OrderRequested is ignored', () => {
    given(...started)
      .when(orderRequested())
      .thenIgnored(/already started/);
    given(...readyToPay)
      .when(orderRequested())
      .thenIgnored(/already started/);
  });

  it('one reply alone does not start payment', () => {
    given(...started)
      .when(userVerified())
      .then({ commands: [], outcome: 'applied', user: 'verified', payment: 'not_started' });
    given(...started)
      .when(stockReserved())
      .then({ commands: [], outcome: 'applied', stock: 'reserved', payment: 'not_started' });
  });
});

describe('order saga: payment waits for both parallel steps', () => {
  it('user verified, then stock reserved → SettlePayment with priced lines, total and sealed card', () => {
    given(orderRequested(), userVerified())
      .when(stockReserved())
      .then({ commands: [settlePayment], outcome: 'applied', status: 'RUNNING', payment: 'pending' });
  });

  it('stock reserved, then user verified → the same SettlePayment', () => {
    given(orderRequested(), stockReserved())
      .when(userVerified())
      .then({ commands: [settlePayment], outcome: 'applied', status: 'RUNNING', payment: 'pending' });
  });

  it('SettlePayment amount is the total priced by the stock service, not recomputed', () => {
    const { decision } = given(orderRequested(), userVerified()).when(stockReserved());
    const command = decision.commands[0];
    expect(command?.type).toBe('SettlePayment');
    if (command?.type === 'SettlePayment') {
      expect(command.data.amountCents).toBe(totalCents);
      expect(command.data.lines).toEqual(lines);
      expect(command.data.card).toEqual(card);
    }
  });
});

describe('order saga: success', () => {
  it('PaymentSettled → CommitStock', () => {
    given(...readyToPay)
      .when(paymentSettled())
      .then({
        commands: [commitStock],
        outcome: 'applied',
        status: 'RUNNING',
        payment: 'settled',
        stock: 'committing',
      });
  });

  it('StockCommitted → CONFIRMED with OrderConfirmed carrying lines, total and invoiceId', () => {
    const confirmed = given(...paid)
      .when(stockCommitted())
      .then({
        commands: [orderConfirmed],
        outcome: 'applied',
        status: 'CONFIRMED',
        user: 'verified',
        stock: 'committed',
        payment: 'settled',
        failure: null,
      });
    // What the forward steps answered is kept, for the commands built from it; a commit's answer says nothing more.
    expect(Object.keys(confirmed.state!.results)).toEqual(['verifyUser', 'reserveStock', 'settlePayment']);
  });
});
