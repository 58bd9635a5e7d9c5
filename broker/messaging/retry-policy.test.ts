import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry-policy';

describe('retry policy', () => {
  it('waits each delay in turn, moved by at most the jitter, and has none after the last', () => {
    const policy = { delaysMs: [100, 500, 2_500], jitter: 0.2 };
    expect([1, 2, 3].map((attempt) => retryDelay(policy, attempt, () => 0))).toEqual([80, 400, 2_000]);
    expect([1, 2, 3].map((attempt) => retryDelay(policy, attempt, () => 1))).toEqual([120, 600, 3_000]);
    expect(retryDelay(policy, 2, () => 0.5)).toBe(500);
    expect(retryDelay(policy, 4)).toBeUndefined();
  });
});
