/** How a handler's transient failure is retried: after each delay in turn, then dead-lettered. */
export interface RetryPolicy {
  /** The wait before each retry; as many retries as delays, so `delaysMs.length + 1` attempts. */
  delaysMs: readonly number[];
  /**
   * Each wait is moved by up to this fraction either way, so messages that failed together
   * (a database that was briefly locked) do not all come back at the same instant.
   */
  jitter: number;
}

/** Growing fivefold: a blip is retried at once, an outage of a few seconds is waited out. */
export const defaultRetryPolicy: RetryPolicy = { delaysMs: [100, 500, 2_500], jitter: 0.2 };

/** Retries are for transient failures; anything longer belongs in the dead-letter queue. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/** The wait before retrying attempt `attempt` (1 = the first delivery), or undefined when it was the last. */
export function retryDelay(policy: RetryPolicy, attempt: number, random = Math.random): number | undefined {
  const base = policy.delaysMs[attempt - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 + policy.jitter * (2 * random() - 1)));
}
