import { describe, expect, it } from 'vitest';
import { nextDeadline } from './deadlines';
import {
  deadlinePassed,
  given,
  orderRequested,
  policy,
  started,
  stockRejected,
  userVerified,
  TIMEOUT_MS,
} from './order-saga.fixtures';

const TIMEOUT = TIMEOUT_MS;
const at = (ms: number) => new Date(policy.now.getTime() + ms).toISOString();

/** Which deadlines a saga keeps (schedule) and which comes first (nextDeadline). */
describe('order saga: the deadlines it keeps', () => {
  it('a step that timed out loses its deadline, and its compensation starts one', () => {
    const decision = given(orderRequested(), userVerified())
      .when(deadlinePassed('reserveStock'), TIMEOUT)
      .then({ stock: 'releasing' });
    expect(decision.state!.deadlines).toEqual({ releaseStock: at(2 * TIMEOUT) });
    expect(decision.state!.steps.reserveStock).toBe('timed_out');
  });

  it('a saga that has ended keeps none, even of a step it never heard back from', () => {
    const decision = given(...started)
      .when(stockRejected())
      .then({ status: 'CANCELLED', user: 'pending' });
    expect(decision.state!.deadlines).toEqual({});
  });

  it('the next deadline is the earliest, whatever the order the steps started in; none when nothing is awaited', () => {
    const { state } = given(...started);
    const deadlines = { settlePayment: at(30_000), releaseStock: at(10_000), refundPayment: undefined };
    expect(nextDeadline({ ...state!, deadlines })).toBe(at(10_000));
    expect(nextDeadline({ ...state!, deadlines: { commitStock: at(5_000), ...deadlines } })).toBe(at(5_000));
    expect(nextDeadline({ ...state!, deadlines: {} })).toBeNull();
  });
});
