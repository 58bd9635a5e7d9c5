import type { LoginAttemptRow } from './store';

/**
 * A rate limit, pure: at most `limit` counted attempts per key in a fixed window that opens
 * with the first attempt. rate-limits.ts keeps the counts for logins and registrations.
 */
export interface ThrottlePolicy {
  limit: number;
  windowSeconds: number;
}

export type Admission = { admitted: true; row: LoginAttemptRow } | { admitted: false; retryAfterSeconds: number };

export function admit(key: string, row: LoginAttemptRow | undefined, now: Date, policy: ThrottlePolicy): Admission {
  const windowEnds = row ? Date.parse(row.windowEndsAt) : 0;
  if (!row || windowEnds <= now.getTime()) {
    const windowEndsAt = new Date(now.getTime() + policy.windowSeconds * 1000).toISOString();
    return { admitted: true, row: { key, count: 1, windowEndsAt } };
  }
  if (row.count >= policy.limit) {
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnds - now.getTime()) / 1000)) };
  }
  return { admitted: true, row: { ...row, count: row.count + 1 } };
}
