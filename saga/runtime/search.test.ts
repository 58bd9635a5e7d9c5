import { describe, expect, it } from 'vitest';
import type { SagaState } from '../decider/decide';
import { leadOf, searchColumns } from './search';

describe('the saga search', () => {
  it('is read by the index of the term with the fewest rows by nature', () => {
    expect(leadOf({})).toBe('started');
    expect(leadOf({ createdFrom: 'a', createdTo: 'b' })).toBe('started');
    expect(leadOf({ status: 'CONFIRMED', createdFrom: 'a' })).toBe('status');
    expect(leadOf({ status: 'CANCELLED', totalMax: 500 })).toBe('total');
    expect(leadOf({ totalMin: 1, endedTo: 'b' })).toBe('ended');
    expect(leadOf({ endedFrom: 'a', reason: 'OUT_OF_STOCK' })).toBe('reason');
    expect(leadOf({ reason: 'OUT_OF_STOCK', product: 'p1' })).toBe('product');
    expect(leadOf({ product: 'p1', customer: 'c1' })).toBe('customer');
    // The sagas not ended are a backlog: fewer than any customer's.
    expect(leadOf({ customer: 'c1', status: 'RUNNING' })).toBe('unfinished');
    expect(leadOf({ customer: 'c1', status: 'PENDING' })).toBe('unfinished');
    expect(leadOf({ customer: 'c1', step: 'settlePayment' })).toBe('unfinished');
  });

  it('writes the awaited steps between commas, and the end only once ended', () => {
    const state = {
      orderId: 'o1',
      userId: 'u1',
      items: [{ productId: 'p1', quantity: 1 }],
      card: { sealed: 'x', last4: '4242' },
      definition: 1,
      status: 'RUNNING',
      steps: { verifyUser: 'pending', reserveStock: 'pending', settlePayment: 'waiting' },
      results: {},
      deadlines: {},
    } satisfies SagaState;
    expect(searchColumns(state, 'now')).toEqual({
      customerId: 'u1',
      totalCents: null,
      reason: null,
      awaiting: ',verifyUser,reserveStock,',
      endedAt: null,
    });
    expect(
      searchColumns(
        { ...state, status: 'CANCELLED', steps: { verifyUser: 'failed' }, failure: { reason: 'USER_REJECTED' } },
        'now',
      ),
    ).toEqual({ customerId: 'u1', totalCents: null, reason: 'USER_REJECTED', awaiting: null, endedAt: 'now' });
  });
});
