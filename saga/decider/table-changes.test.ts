import { describe, expect, it } from 'vitest';
import { lateReplyNote, orderSaga, type SagaDefinition, type StepRecord } from '../../contracts/steps';
import { decide } from './decide';
import { definitionProblems } from './definition-problems';
import { explore } from './explorer';
import { harness } from './harness';
import type { SagaInput } from './state';
import * as order from './order-saga.fixtures';

/**
 * What adding a step takes: its messages, its record, its participant. A hypothetical coupon
 * step is added to a copy of the order saga's table, and payment waits for it; nothing of the
 * decider changes, and its property explorer and harness run over the new table as they are.
 */
const reserveCoupon: StepRecord = {
  kind: 'forward',
  command: 'ReserveCoupon',
  succeeded: 'CouponReserved',
  failed: 'CouponRejected',
  undoneBy: 'releaseCoupon',
  build: ({ orderId, userId }) => ({ orderId, userId }),
  failure: (reply: { reason: string }) => ({ reason: 'OUT_OF_STOCK', detail: `coupon ${reply.reason}` }),
  lateNote: 'the coupon was reserved after its deadline, so it was released',
  defaultTimeoutMs: 5_000,
};
const releaseCoupon: StepRecord = {
  kind: 'compensation',
  command: 'ReleaseCoupon',
  succeeded: 'CouponReleased',
  build: ({ orderId }) => ({ orderId }),
  defaultTimeoutMs: 5_000,
};
const withCoupon: SagaDefinition = {
  ...orderSaga,
  version: orderSaga.version + 1,
  steps: {
    ...orderSaga.steps,
    reserveCoupon,
    releaseCoupon,
    settlePayment: { ...orderSaga.steps.settlePayment, needs: ['verifyUser', 'reserveStock', 'reserveCoupon'] },
  },
};

// The coupon service's messages, as a participant would send them.
const coupon = (type: string, data: object = {}) =>
  ({ type, data: { orderId: order.orderId, ...data } }) as unknown as SagaInput;
const couponReserved = () => coupon('CouponReserved', { code: 'WINTER' });
const couponRejected = () => coupon('CouponRejected', { reason: 'expired' });
const couponReleased = () => coupon('CouponReleased');

const policy = { ...order.policy, definitions: [orderSaga, withCoupon] };
const reserveCouponCommand = { type: 'ReserveCoupon', data: { orderId: order.orderId, userId: order.userId } };
const releaseCouponCommand = { type: 'ReleaseCoupon', data: { orderId: order.orderId } };

describe('a step added to the table', () => {
  it('holds as a table', () => {
    expect(definitionProblems([orderSaga, withCoupon])).toEqual([]);
  });

  it('runs every interleaving of the explorer, untouched, with the invariants held', () => {
    const paths = explore({
      policy,
      participant: {
        VerifyUser: [order.userVerified, () => order.userRejected('unknown_user')],
        ReserveStock: [order.stockReserved, () => order.stockRejected('OUT_OF_STOCK')],
        ReserveCoupon: [couponReserved, couponRejected],
        SettlePayment: [order.paymentSettled, () => order.paymentDeclined('card_declined')],
        CommitStock: [order.stockCommitted],
        ReleaseStock: [order.stockReleased],
        ReleaseCoupon: [couponReleased],
        RefundPayment: [order.paymentRefunded],
      },
      start: order.orderRequested,
      cancel: order.cancellationRequested,
      // One step more multiplies the paths: one deadline per path keeps the walk to a second or so.
      budget: { cancels: 1, duplicates: 1, drops: 1, deadlines: 1 },
    });
    expect(paths.every(({ state }) => state.status === 'CONFIRMED' || state.status === 'CANCELLED')).toBe(true);
    const confirmed = paths.filter(({ state }) => state.status === 'CONFIRMED');
    expect(confirmed.length).toBeGreaterThan(0);
    // Payment never went ahead of the coupon, and a coupon that was reserved is released on every cancel.
    for (const { inputs } of confirmed) {
      const types: string[] = inputs.map((input) => input.type);
      expect(types.indexOf('CouponReserved')).toBeLessThan(types.indexOf('PaymentSettled'));
    }
    const couponHeld = paths.filter(
      ({ state }) => state.status === 'CANCELLED' && ['succeeded', 'timed_out'].includes(state.steps.reserveCoupon!),
    );
    expect(couponHeld.length).toBeGreaterThan(0);
    for (const { state } of couponHeld) expect(state.steps.releaseCoupon).toBe('succeeded');
  });

  it('runs in the harness: started beside the others, waited for by payment, undone on failure', () => {
    const { given } = harness<{ type: string; data: unknown }>(policy);
    given()
      .when(order.orderRequested())
      .then({
        commands: [order.verifyUser, order.reserveStock, reserveCouponCommand],
        steps: { reserveCoupon: 'pending', settlePayment: 'waiting' },
      });
    given(...order.readyToPay)
      .when(couponReserved())
      .then({ commands: [order.settlePayment], steps: { reserveCoupon: 'succeeded', settlePayment: 'pending' } });
    given(order.orderRequested(), couponReserved())
      .when(order.stockRejected())
      .then({
        commands: [releaseCouponCommand],
        status: 'COMPENSATING',
        failure: { reason: 'OUT_OF_STOCK', detail: `product ${order.productB}` },
      });
    given(order.orderRequested(), order.userVerified(), order.stockReserved())
      .when(couponRejected())
      .then({
        commands: [order.releaseStock],
        status: 'COMPENSATING',
        failure: { reason: 'OUT_OF_STOCK', detail: 'coupon expired' },
      });
  });

  it('undoes a coupon that answered after its deadline, and says so once', () => {
    const { given } = harness<{ type: string; data: unknown }>(policy);
    const timedOut = [order.orderRequested(), order.deadlinePassed('reserveCoupon' as never)];
    given(...timedOut)
      .when(couponReserved())
      .then({
        commands: [
          {
            type: 'LateReplyCompensated',
            data: { orderId: order.orderId, step: 'reserveCoupon', compensation: 'ReleaseCoupon' },
          },
        ],
      });
  });
});

describe('what the order’s history says of a late answer', () => {
  it('is the step’s own note, or says which step and which compensation', () => {
    expect(lateReplyNote('settlePayment', 'RefundPayment')).toBe(
      'the payment settled after its deadline, so it was refunded',
    );
    expect(lateReplyNote('reserveCoupon', 'ReleaseCoupon')).toBe(
      'reserveCoupon answered after its deadline, so ReleaseCoupon undid it',
    );
  });
});

describe('a table that does not hold', () => {
  const broken = (steps: Record<string, StepRecord>) => definitionProblems([{ ...orderSaga, steps }]);

  it('names a need or an undo that is not there, or not a compensation', () => {
    expect(broken({ ...orderSaga.steps, commitStock: { ...orderSaga.steps.commitStock, needs: ['pay'] } })).toEqual([
      'version 1: commitStock needs an unknown step pay',
      'version 1: steps that could never start: commitStock',
    ]);
    expect(
      broken({ ...orderSaga.steps, reserveStock: { ...orderSaga.steps.reserveStock, undoneBy: 'verifyUser' } }),
    ).toEqual(['version 1: reserveStock is undone by verifyUser, which is not a compensation']);
  });

  it('names steps whose needs go round in a circle, and a compensation that undoes nothing', () => {
    const circle = {
      ...orderSaga.steps,
      verifyUser: { ...orderSaga.steps.verifyUser, needs: ['settlePayment'] },
      releaseCoupon,
    };
    expect(broken(circle)).toEqual([
      'version 1: compensation releaseCoupon undoes no step',
      'version 1: steps that could never start: verifyUser, settlePayment, commitStock',
    ]);
  });

  it('names a compensation with needs or an undo of its own, an undo of no step, and a failure without a why', () => {
    expect(
      broken({ ...orderSaga.steps, releaseStock: { ...orderSaga.steps.releaseStock, needs: ['verifyUser'] } }),
    ).toEqual(['version 1: compensation releaseStock has needs or an undo of its own']);
    expect(
      broken({ ...orderSaga.steps, refundPayment: { ...orderSaga.steps.refundPayment, undoneBy: 'releaseStock' } }),
    ).toEqual(['version 1: compensation refundPayment has needs or an undo of its own']);
    expect(
      broken({ ...orderSaga.steps, reserveStock: { ...orderSaga.steps.reserveStock, undoneBy: 'restock' } }),
    ).toEqual(['version 1: reserveStock is undone by restock, which is not a compensation']);
    const { failure: _failure, ...verifyUser } = orderSaga.steps.verifyUser;
    expect(broken({ ...orderSaga.steps, verifyUser })).toEqual(['version 1: verifyUser can fail but says not why']);
    // A commit may be refused: it is sent again until answered, so it needs no reason to cancel.
    const refusable = { ...orderSaga.steps.commitStock, failed: 'StockCommitRefused' };
    expect(broken({ ...orderSaga.steps, commitStock: refusable })).toEqual([]);
  });

  it('names a message used twice, and versions that do not rise', () => {
    const twice = {
      ...orderSaga.steps,
      reserveCoupon: { ...reserveCoupon, succeeded: 'StockReserved', failed: 'StockRejected' },
      releaseCoupon,
    };
    expect(broken(twice)).toEqual(['version 1: messages used twice: StockReserved, StockRejected']);
    expect(definitionProblems([withCoupon, orderSaga])).toEqual(['version 1 follows version 2']);
    expect(definitionProblems([orderSaga, { ...withCoupon, version: orderSaga.version }])).toEqual([
      'version 1 follows version 1',
    ]);
    // A step that cannot fail needs no reason to cancel.
    const { failed: _failed, failure: _failure, ...sure } = reserveCoupon;
    expect(broken({ ...orderSaga.steps, reserveCoupon: sure, releaseCoupon })).toEqual([]);
    expect(definitionProblems([])).toEqual(['no step table']);
  });
});

describe('a saga finishes under the table it started with', () => {
  const v1 = { ...order.policy, definitions: [orderSaga] };
  const both = { ...order.policy, definitions: [orderSaga, withCoupon] };

  it('starts under the newest table it is given, and records its version', () => {
    expect(decide(undefined, order.orderRequested(), v1).state!.definition).toBe(orderSaga.version);
    const started = decide(undefined, order.orderRequested(), both);
    expect(started.state!.definition).toBe(withCoupon.version);
    expect(started.commands.map((command) => command.type)).toContain('ReserveCoupon');
  });

  it('goes on under its own when a newer one is deployed: no coupon for a saga that began without', () => {
    const begun = harness(v1).given(...order.readyToPay.slice(0, 2)).state!;
    const paying = decide(begun, order.stockReserved(), both);
    expect(paying.commands).toEqual([order.settlePayment]);
    expect(paying.state!.definition).toBe(orderSaga.version);
    expect(paying.state!.steps).not.toHaveProperty('reserveCoupon');
  });

  it('is left alone, untouched, by a process that does not know its table', () => {
    const begun = decide(undefined, order.orderRequested(), both).state!;
    for (const input of [order.userVerified(), order.cancellationRequested(), order.deadlinePassed('verifyUser')]) {
      const left = decide(begun, input, v1);
      expect(left.outcome).toEqual({
        kind: 'unknownDefinition',
        why: 'the saga runs under version 2 of the step table, which this process does not know',
      });
      expect(left.state).toBe(begun);
      expect(left.commands).toEqual([]);
    }
  });
});
