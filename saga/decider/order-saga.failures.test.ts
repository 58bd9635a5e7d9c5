import { describe, expect, it } from 'vitest';
import {
  cancellationRequested,
  given,
  orderCancelled,
  orderRequested,
  paymentDeclined,
  productA,
  productB,
  readyToPay,
  releaseStock,
  started,
  stockRejected,
  stockReleased,
  stockReserved,
  userRejected,
  userVerified,
} from './order-saga.fixtures';

describe('order saga: user rejected', () => {
  it('while stock is still pending: waits, no commands', () => {
    given(...started)
      .when(userRejected('inactive_user'))
      .then({
        commands: [],
        outcome: 'applied',
        status: 'COMPENSATING',
        user: 'rejected',
        stock: 'pending',
        failure: { reason: 'USER_REJECTED', detail: 'inactive_user' },
      });
  });

  it('then StockReserved → ReleaseStock (never SettlePayment)', () => {
    given(orderRequested(), userRejected('inactive_user'))
      .when(stockReserved())
      .then({
        commands: [releaseStock],
        outcome: 'applied',
        status: 'COMPENSATING',
        stock: 'releasing',
        payment: 'not_started',
      });
  });

  it('then StockReleased → CANCELLED, OrderCancelled USER_REJECTED with the rejection reason as detail', () => {
    given(orderRequested(), userRejected('inactive_user'), stockReserved())
      .when(stockReleased())
      .then({
        commands: [orderCancelled('USER_REJECTED', 'inactive_user')],
        outcome: 'applied',
        status: 'CANCELLED',
        stock: 'released',
        payment: 'not_started',
        failure: { reason: 'USER_REJECTED', detail: 'inactive_user' },
      });
  });

  it('after stock was reserved → ReleaseStock at once', () => {
    given(orderRequested(), stockReserved())
      .when(userRejected('unknown_user'))
      .then({ commands: [releaseStock], outcome: 'applied', status: 'COMPENSATING', stock: 'releasing' });
  });

  it('while stock pending, then StockRejected → CANCELLED at once, still USER_REJECTED', () => {
    given(orderRequested(), userRejected('unknown_user'))
      .when(stockRejected('OUT_OF_STOCK'))
      .then({
        commands: [orderCancelled('USER_REJECTED', 'unknown_user')],
        status: 'CANCELLED',
        failure: { reason: 'USER_REJECTED', detail: 'unknown_user' },
      });
  });
});

describe('order saga: stock rejected', () => {
  for (const reason of ['OUT_OF_STOCK', 'UNKNOWN_PRODUCT'] as const) {
    it(`${reason} with the user still pending → CANCELLED at once, nothing to compensate`, () => {
      given(...started)
        .when(stockRejected(reason, productA))
        .then({
          commands: [orderCancelled(reason, `product ${productA}`)],
          outcome: 'applied',
          status: 'CANCELLED',
          stock: 'rejected',
          payment: 'not_started',
          failure: { reason, detail: `product ${productA}` },
        });
    });

    it(`${reason} after the user was verified → CANCELLED at once`, () => {
      given(orderRequested(), userVerified())
        .when(stockRejected(reason))
        .then({ commands: [orderCancelled(reason, `product ${productB}`)], status: 'CANCELLED' });
    });
  }

  // A reply that lands on a terminal saga is ignored, with a reason, and the state left as it is.
  it("the user's late UserVerified after the cancel is ignored with no commands", () => {
    given(orderRequested(), stockRejected('OUT_OF_STOCK'))
      .when(userVerified())
      .thenIgnored(/CANCELLED|already|terminal/);
  });

  it("the user's late UserRejected after the cancel is ignored and does not change the reason", () => {
    given(orderRequested(), stockRejected('OUT_OF_STOCK'))
      .when(userRejected())
      .thenIgnored(/CANCELLED|already|terminal/);
  });

  it('a late reply on the cancelled saga never emits commands nor changes status or reason', () => {
    for (const late of [userVerified(), userRejected()]) {
      given(orderRequested(), stockRejected('UNKNOWN_PRODUCT', productA))
        .when(late)
        .then({
          commands: [],
          status: 'CANCELLED',
          failure: { reason: 'UNKNOWN_PRODUCT', detail: `product ${productA}` },
        });
    }
  });
});

describe('order saga: payment declined', () => {
  for (const reason of ['card_declined', 'insufficient_funds'] as const) {
    it(`${reason} → ReleaseStock, never RefundPayment`, () => {
      const { decision } = given(...readyToPay).when(paymentDeclined(reason));
      expect(decision.commands.map((c) => c.type)).not.toContain('RefundPayment');
      given(...readyToPay)
        .when(paymentDeclined(reason))
        .then({
          commands: [releaseStock],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'releasing',
          payment: 'declined',
          failure: { reason: 'PAYMENT_DECLINED', detail: reason },
        });
    });

    it(`${reason}, then StockReleased → CANCELLED PAYMENT_DECLINED with detail ${reason}`, () => {
      given(...readyToPay, paymentDeclined(reason))
        .when(stockReleased())
        .then({
          commands: [orderCancelled('PAYMENT_DECLINED', reason)],
          status: 'CANCELLED',
          stock: 'released',
          payment: 'declined',
        });
    });
  }
});

describe('order saga: the first failure wins', () => {
  it('a cancel after a decline keeps PAYMENT_DECLINED', () => {
    given(...readyToPay, paymentDeclined('card_declined'))
      .when(cancellationRequested())
      .then({ commands: [], status: 'COMPENSATING', failure: { reason: 'PAYMENT_DECLINED', detail: 'card_declined' } });
  });

  it('UserRejected then StockRejected: USER_REJECTED', () => {
    given(orderRequested(), userRejected('unknown_user'))
      .when(stockRejected('UNKNOWN_PRODUCT'))
      .then({ failure: { reason: 'USER_REJECTED', detail: 'unknown_user' } });
  });

  it('cancel, then UserRejected: CANCELLED_BY_CUSTOMER', () => {
    given(orderRequested(), cancellationRequested())
      .when(userRejected())
      .then({ commands: [], failure: { reason: 'CANCELLED_BY_CUSTOMER' } });
  });

  it('UserRejected, then cancel: USER_REJECTED and no second compensation', () => {
    given(orderRequested(), stockReserved(), userRejected('inactive_user'))
      .when(cancellationRequested())
      .then({ commands: [], stock: 'releasing', failure: { reason: 'USER_REJECTED', detail: 'inactive_user' } });
  });
});
