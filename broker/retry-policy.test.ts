import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, retryDelay, retryPolicyFromEnv } from './retry-policy';

describe('retry policy', () => {
  it('waits each delay in turn, moved by at most the jitter, and has none after the last', () => {
    const policy = { delaysMs: [100, 500, 2_500], jitter: 0.2 };
    expect([1, 2, 3].map((attempt) => retryDelay(policy, attempt, () => 0))).toEqual([80, 400, 2_000]);
    expect([1, 2, 3].map((attempt) => retryDelay(policy, attempt, () => 1))).toEqual([120, 600, 3_000]);
    expect(retryDelay(policy, 2, () => 0.5)).toBe(500);
    expect(retryDelay(policy, 4)).toBeUndefined();
  });

  it('reads RETRY_DELAYS_MS and RETRY_JITTER over growing defaults', () => {
    expect(retryPolicyFromEnv({})).toEqual(defaultRetryPolicy);
    expect(defaultRetryPolicy.delaysMs).toEqual([100, 500, 2_500]);
    expect(retryPolicyFromEnv({ RETRY_DELAYS_MS: '50, 200,1000', RETRY_JITTER: '0' })).toEqual({
      delaysMs: [50, 200, 1_000],
      jitter: 0,
    });
    expect(retryPolicyFromEnv({ RETRY_DELAYS_MS: '' }).delaysMs, 'no retries at all').toEqual([]);
  });

  it('refuses a bad setting, naming it', () => {
    for (const value of ['fast', '100,,500', '-1', '1.5', '3600001']) {
      expect(() => retryPolicyFromEnv({ RETRY_DELAYS_MS: value })).toThrow(/RETRY_DELAYS_MS/);
    }
    for (const value of ['', 'lots', '1.5', '-0.1']) {
      expect(() => retryPolicyFromEnv({ RETRY_JITTER: value })).toThrow(/RETRY_JITTER/);
    }
  });
});
