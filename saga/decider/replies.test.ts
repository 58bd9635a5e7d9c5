import { describe, expect, it } from 'vitest';
import {
  deadlinePassed,
  given,
  lines,
  orderId,
  orderRequested,
  paymentDeclined,
  readyToPay,
  stockReserved,
  totalCents,
  userRejected,
  userVerified,
} from './order-saga.fixtures';

/** What an answer that comes after its step's deadline does (lateReply). */
describe('order saga: late answers', () => {
  const timedOutStock = [orderRequested(), userVerified(), deadlinePassed('reserveStock')];

  it('a late reservation keeps the prices it reserved at, and is noted once however often it comes', () => {
    const noted = given(...timedOutStock)
      .when(stockReserved())
      .then({ outcome: 'applied', stock: 'releasing' });
    expect(noted.state!.results.reserveStock).toEqual({ orderId, lines, totalCents });
    given(...timedOutStock, stockReserved())
      .when(stockReserved())
      .thenIgnored(/reserveStock had timed out; its late answer is already noted/);
  });

  it('a late decline has nothing to undo', () => {
    given(...readyToPay, deadlinePassed('settlePayment'))
      .when(paymentDeclined())
      .thenIgnored(/settlePayment had timed out; nothing to undo/);
  });

  it('a late rejection of the user has nothing to undo', () => {
    given(orderRequested(), deadlinePassed('verifyUser'))
      .when(userRejected())
      .thenIgnored(/verifyUser had timed out; nothing to undo/);
  });
});
