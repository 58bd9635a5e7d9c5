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

/**
 * `RETRY_DELAYS_MS` (comma-separated milliseconds; empty for no retries) and `RETRY_JITTER`
 * (a fraction from 0 to 1) over the defaults. A bad value throws, naming the variable.
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const delays = env.RETRY_DELAYS_MS;
  const jitter = env.RETRY_JITTER;
  return {
    delaysMs: delays === undefined ? defaultRetryPolicy.delaysMs : parseDelays(delays),
    jitter: jitter === undefined ? defaultRetryPolicy.jitter : parseJitter(jitter),
  };
}

function parseDelays(value: string): number[] {
  if (value.trim() === '') return [];
  return value.split(',').map((part) => {
    const delay = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(delay) || delay < 0 || delay > MAX_RETRY_DELAY_MS) {
      throw new Error(
        `RETRY_DELAYS_MS must be comma-separated whole milliseconds from 0 to ${MAX_RETRY_DELAY_MS}, got "${value}"`,
      );
    }
    return delay;
  });
}

function parseJitter(value: string): number {
  const jitter = Number(value);
  if (value.trim() === '' || !Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new Error(`RETRY_JITTER must be a fraction from 0 to 1, got "${value}"`);
  }
  return jitter;
}
