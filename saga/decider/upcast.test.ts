import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import {
  card,
  commitStock,
  given,
  invoiceId,
  items,
  lines,
  orderCancelled,
  orderConfirmed,
  orderId,
  orderRequested,
  paymentRefunded,
  paymentSettled,
  policy,
  stockCommitted,
  stockReleased,
  totalCents,
  userId,
} from './order-saga.fixtures';
import { upcast, type LaneState } from './upcast';

const stored = (lanes: Pick<LaneState, 'user' | 'stock' | 'payment'> & Partial<LaneState>): LaneState => ({
  orderId,
  userId,
  items,
  card,
  status: 'RUNNING',
  deadlines: {},
  ...lanes,
});

/** Sagas stored in lanes, before the step table drove them, go on as they would have. */
describe('a saga stored before the step table', () => {
  it('waiting on its payment: commits the stock once paid, then confirms with what was reserved', () => {
    const paying = upcast(
      stored({ user: 'verified', stock: 'reserved', payment: 'pending', priced: { lines, totalCents } }),
    );
    expect(paying).toMatchObject({ definition: 1, steps: { settlePayment: 'pending', commitStock: 'waiting' } });
    const paid = decide(paying, paymentSettled(), policy);
    expect(paid.commands).toEqual([commitStock]);
    expect(decide(paid.state, stockCommitted(), policy).commands).toEqual([orderConfirmed]);
  });

  it('compensating after a payment timed out: cancels once both are undone, and undoes a late charge', () => {
    const compensating = upcast(
      stored({
        status: 'COMPENSATING',
        user: 'verified',
        stock: 'releasing',
        payment: 'refunding',
        priced: { lines, totalCents },
        timedOut: ['settlePayment'],
        failure: { reason: 'STEP_TIMEOUT', detail: 'settlePayment' },
      }),
    );
    expect(compensating.steps).toMatchObject({ reserveStock: 'succeeded', settlePayment: 'timed_out' });
    const late = decide(compensating, paymentSettled(), policy);
    expect(late.commands).toEqual([
      { type: 'LateReplyCompensated', data: { orderId, step: 'settlePayment', compensation: 'RefundPayment' } },
    ]);
    const released = decide(late.state, stockReleased(), policy);
    expect(released.commands).toEqual([]);
    expect(decide(released.state, paymentRefunded(), policy).commands).toEqual([
      orderCancelled('STEP_TIMEOUT', 'settlePayment'),
    ]);
  });

  it.each([
    // user, stock, payment, timed out → verifyUser, reserveStock, settlePayment, commitStock, releaseStock, refundPayment
    ['pending', 'pending', 'not_started', [], 'pending pending waiting waiting waiting waiting'],
    ['verified', 'reserved', 'pending', [], 'succeeded succeeded pending waiting waiting waiting'],
    ['rejected', 'rejected', 'not_started', [], 'failed failed waiting waiting waiting waiting'],
    [
      'timed_out',
      'timed_out',
      'not_started',
      ['verifyUser', 'reserveStock'],
      'timed_out timed_out waiting waiting waiting waiting',
    ],
    ['verified', 'releasing', 'declined', [], 'succeeded succeeded failed waiting pending waiting'],
    ['verified', 'released', 'timed_out', ['settlePayment'], 'succeeded succeeded timed_out waiting succeeded waiting'],
    ['verified', 'committing', 'settled', [], 'succeeded succeeded succeeded pending waiting waiting'],
    ['verified', 'committed', 'refunding', [], 'succeeded succeeded succeeded succeeded waiting pending'],
    [
      'verified',
      'released',
      'refunded',
      ['reserveStock', 'settlePayment'],
      'succeeded timed_out timed_out waiting succeeded succeeded',
    ],
  ] as const)('%s user, %s stock, %s payment (timed out: %j) → %s', (user, stock, payment, timedOut, expected) => {
    const { steps } = upcast(stored({ user, stock, payment, timedOut: [...timedOut] }));
    const order = ['verifyUser', 'reserveStock', 'settlePayment', 'commitStock', 'releaseStock', 'refundPayment'];
    expect(order.map((step) => steps[step]).join(' ')).toBe(expected);
    expect(Object.keys(steps).sort()).toEqual([...order].sort());
  });

  it('keeps what the answers said, and leaves a saga of today as it is', () => {
    const settled = upcast(stored({ user: 'verified', stock: 'committing', payment: 'settled', invoiceId }));
    expect(settled.results).toEqual({ settlePayment: { orderId, invoiceId } });
    expect(settled.steps).toMatchObject({
      reserveStock: 'succeeded',
      commitStock: 'pending',
      refundPayment: 'waiting',
    });
    const today = given(orderRequested()).state!;
    expect(upcast(today)).toBe(today);
  });
});
