import { describe, expect, it } from 'vitest';
import { stateChange } from './state-change';
import type { SagaState } from '../decider/state';

const started: SagaState = {
  orderId: 'o1',
  userId: 'u1',
  items: [{ productId: 'p1', quantity: 2 }],
  card: { sealed: 'sealed-card', last4: '4242' },
  results: {},
  definition: 1,
  status: 'RUNNING',
  steps: { verify: 'pending', stock: 'pending', payment: 'waiting' },
  deadlines: { verify: '2026-12-06T10:00:05.000Z' },
};

describe('stateChange', () => {
  it('names each field an answer moved, entry by entry in the maps', () => {
    const after: SagaState = {
      ...started,
      steps: { ...started.steps, verify: 'succeeded' },
      deadlines: {},
      results: { verify: { ok: true } },
    };
    expect(stateChange(started, after)).toEqual({
      'steps.verify': ['pending', 'succeeded'],
      'deadlines.verify': ['2026-12-06T10:00:05.000Z', null],
      'results.verify': [null, { ok: true }],
    });
  });

  it('gives every field of a saga that starts, but never its card', () => {
    const change = stateChange(undefined, started);
    expect(change.status).toEqual([null, 'RUNNING']);
    expect(change['steps.payment']).toEqual([null, 'waiting']);
    expect(change.userId).toEqual([null, 'u1']);
    expect(JSON.stringify(change)).not.toContain('sealed-card');
  });

  it('is empty when nothing moved, and records a failure that appears', () => {
    expect(stateChange(started, { ...started })).toEqual({});
    const answered = { ...started, results: { verify: { ok: true } } };
    expect(stateChange(answered, { ...answered, results: { verify: { ok: true } } })).toEqual({});
    const failed = { ...started, status: 'COMPENSATING' as const, failure: { reason: 'OUT_OF_STOCK' as const } };
    expect(stateChange(started, failed)).toEqual({
      status: ['RUNNING', 'COMPENSATING'],
      failure: [null, { reason: 'OUT_OF_STOCK' }],
    });
  });
});
