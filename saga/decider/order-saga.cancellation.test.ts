import { describe, expect, it } from 'vitest';
import {
  cancellationRequested,
  given,
  orderCancelled,
  orderRequested,
  paid,
  paymentDeclined,
  paymentRefunded,
  paymentSettled,
  policy,
  readyToPay,
  refundPayment,
  releaseStock,
  started,
  stockCommitted,
  stockRejected,
  stockReleased,
  stockReserved,
  userVerified,
} from './order-saga.fixtures';
import { decide } from './decide';

describe('order saga: customer cancellation', () => {
  it('a cancel taken before its saga started is early: nothing is decided, it must come again', () => {
    expect(decide(undefined, cancellationRequested(), policy)).toEqual({
      state: undefined,
      commands: [],
      outcome: { kind: 'early', why: 'the saga has not started yet' },
    });
  });

  describe('before any reply', () => {
    it('waits for the stock reply', () => {
      given(...started)
        .when(cancellationRequested())
        .then({
          commands: [],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'pending',
          failure: { reason: 'CANCELLED_BY_CUSTOMER' },
        });
    });

    it('StockReserved afterwards → ReleaseStock, not SettlePayment, even with the user verified', () => {
      given(orderRequested(), cancellationRequested(), userVerified())
        .when(stockReserved())
        .then({ commands: [releaseStock], stock: 'releasing', payment: 'not_started' });
    });

    it('StockReleased → CANCELLED CANCELLED_BY_CUSTOMER', () => {
      given(orderRequested(), cancellationRequested(), stockReserved())
        .when(stockReleased())
        .then({ commands: [orderCancelled('CANCELLED_BY_CUSTOMER')], status: 'CANCELLED' });
    });

    it('StockRejected afterwards → CANCELLED at once, still CANCELLED_BY_CUSTOMER', () => {
      given(orderRequested(), cancellationRequested())
        .when(stockRejected('OUT_OF_STOCK'))
        .then({ commands: [orderCancelled('CANCELLED_BY_CUSTOMER')], status: 'CANCELLED' });
    });
  });

  describe('while payment is pending', () => {
    // The stock is released at once (the payment outcome no longer matters), the saga then
    // waits for the payment reply.
    it('releases the reserved stock at once and waits for the payment reply', () => {
      given(...readyToPay)
        .when(cancellationRequested())
        .then({
          commands: [releaseStock],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'releasing',
          payment: 'pending',
          failure: { reason: 'CANCELLED_BY_CUSTOMER' },
        });
    });

    it('PaymentSettled afterwards → RefundPayment (stock already being released), never CommitStock', () => {
      given(...readyToPay, cancellationRequested())
        .when(paymentSettled())
        .then({ commands: [refundPayment], status: 'COMPENSATING', payment: 'refunding', stock: 'releasing' });
    });

    it('the settled payment and the release: ReleaseStock + RefundPayment are both issued, never a commit', () => {
      const cancelDecision = given(...readyToPay).when(cancellationRequested()).decision;
      const settleDecision = given(...readyToPay, cancellationRequested()).when(paymentSettled()).decision;
      const issued = [...cancelDecision.commands, ...settleDecision.commands].map((c) => c.type).sort();
      expect(issued).toEqual(['RefundPayment', 'ReleaseStock']);
    });

    it('waits for both replies: StockReleased alone does not cancel', () => {
      given(...readyToPay, cancellationRequested(), paymentSettled())
        .when(stockReleased())
        .then({ commands: [], status: 'COMPENSATING', stock: 'released', payment: 'refunding' });
    });

    it('PaymentRefunded alone does not cancel', () => {
      given(...readyToPay, cancellationRequested(), paymentSettled())
        .when(paymentRefunded())
        .then({ commands: [], status: 'COMPENSATING', stock: 'releasing', payment: 'refunded' });
    });

    it('both replies in → CANCELLED CANCELLED_BY_CUSTOMER (either order)', () => {
      given(...readyToPay, cancellationRequested(), paymentSettled(), stockReleased())
        .when(paymentRefunded())
        .then({
          commands: [orderCancelled('CANCELLED_BY_CUSTOMER')],
          status: 'CANCELLED',
          payment: 'refunded',
          stock: 'released',
        });
      given(...readyToPay, cancellationRequested(), paymentSettled(), paymentRefunded())
        .when(stockReleased())
        .then({
          commands: [orderCancelled('CANCELLED_BY_CUSTOMER')],
          status: 'CANCELLED',
          payment: 'refunded',
          stock: 'released',
        });
    });

    it('StockReleased before the payment reply: still waits for the payment', () => {
      given(...readyToPay, cancellationRequested())
        .when(stockReleased())
        .then({ commands: [], status: 'COMPENSATING', stock: 'released', payment: 'pending' });
    });

    it('PaymentDeclined afterwards: nothing to refund; the reason stays CANCELLED_BY_CUSTOMER', () => {
      given(...readyToPay, cancellationRequested(), stockReleased())
        .when(paymentDeclined('insufficient_funds'))
        .then({
          commands: [orderCancelled('CANCELLED_BY_CUSTOMER')],
          status: 'CANCELLED',
          payment: 'declined',
          failure: { reason: 'CANCELLED_BY_CUSTOMER' },
        });
    });
  });

  describe('while stock is being committed', () => {
    it('refunds the settled payment at once and waits for the commit reply', () => {
      given(...paid)
        .when(cancellationRequested())
        .then({
          commands: [refundPayment],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'committing',
          payment: 'refunding',
        });
    });

    it('StockCommitted afterwards → ReleaseStock, never OrderConfirmed', () => {
      given(...paid, cancellationRequested())
        .when(stockCommitted())
        .then({ commands: [releaseStock], status: 'COMPENSATING', stock: 'releasing' });
    });

    it('ReleaseStock + RefundPayment are both issued over the cancel and the commit reply', () => {
      const onCancel = given(...paid).when(cancellationRequested()).decision;
      const onCommit = given(...paid, cancellationRequested()).when(stockCommitted()).decision;
      const issued = [...onCancel.commands, ...onCommit.commands].map((c) => c.type).sort();
      expect(issued).toEqual(['RefundPayment', 'ReleaseStock']);
    });

    it('StockReleased + PaymentRefunded → CANCELLED CANCELLED_BY_CUSTOMER', () => {
      given(...paid, cancellationRequested(), stockCommitted(), paymentRefunded())
        .when(stockReleased())
        .then({ commands: [orderCancelled('CANCELLED_BY_CUSTOMER')], status: 'CANCELLED' });
    });
  });

  describe('after the saga is terminal', () => {
    it('a cancelled saga ignores it', () => {
      given(orderRequested(), stockRejected())
        .when(cancellationRequested())
        .thenIgnored(/already CANCELLED/);
    });

    it('a confirmed saga ignores it', () => {
      given(...paid, stockCommitted())
        .when(cancellationRequested())
        .thenIgnored(/already CONFIRMED/);
    });
  });
});
