import { createHash } from 'node:crypto';
import { eq, lte, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Config } from '../../platform/config';
import { admit, type ThrottlePolicy } from './throttle';
import { loginAttempts } from './sqlite/schema';

/** Keys are hashed: the table must not become a list of emails and addresses someone tried. */
const keyOf = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('base64url')}`;

export interface AttemptKeys {
  email: string;
  address: string;
}

type Db = BetterSQLite3Database<Record<string, unknown>>;
type Admitted = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Counts attempts per key of each kind in the users database, so the limits hold across
 * restarts and instances. An attempt is counted before it is acted on (in one immediate
 * transaction), so concurrent attempts cannot slip past the limit together.
 */
function attemptCounter<Kind extends string>(db: Db, policies: Record<Kind, ThrottlePolicy>) {
  const kinds = Object.keys(policies) as Kind[];
  /** Counts an attempt, or answers how long to wait when a key is at its limit (then nothing is counted). */
  return (keys: Record<Kind, string>, now: Date): Admitted =>
    db.transaction(
      (tx) => {
        tx.delete(loginAttempts).where(lte(loginAttempts.windowEndsAt, now.toISOString())).run();
        const admissions = kinds.map((kind) => {
          const key = keyOf(kind, keys[kind]);
          return admit(
            key,
            tx.select().from(loginAttempts).where(eq(loginAttempts.key, key)).get(),
            now,
            policies[kind],
          );
        });
        const refused = admissions.flatMap((a) => (a.admitted ? [] : [a.retryAfterSeconds]));
        if (refused.length > 0) return { admitted: false as const, retryAfterSeconds: Math.max(...refused) };
        for (const admission of admissions) {
          if (!admission.admitted) continue;
          tx.insert(loginAttempts)
            .values(admission.row)
            .onConflictDoUpdate({ target: loginAttempts.key, set: admission.row })
            .run();
        }
        return { admitted: true as const };
      },
      { behavior: 'immediate' },
    );
}

/** Logins per email and per client address; in effect failures, since a success gives its attempt back. */
export function loginAttemptsOf(db: Db, settings: Config['login']) {
  const take = attemptCounter(db, {
    email: { limit: settings.maxFailuresPerEmail, windowSeconds: settings.windowSeconds },
    address: { limit: settings.maxFailuresPerAddress, windowSeconds: settings.windowSeconds },
  });
  return {
    take: (keys: AttemptKeys, now: Date) => take(keys, now),

    /** A successful login takes its attempt back: the email starts afresh, the address gets one back. */
    giveBack(keys: AttemptKeys): void {
      db.transaction((tx) => {
        tx.delete(loginAttempts)
          .where(eq(loginAttempts.key, keyOf('email', keys.email)))
          .run();
        tx.update(loginAttempts)
          .set({ count: sql`max(${loginAttempts.count} - 1, 0)` })
          .where(eq(loginAttempts.key, keyOf('address', keys.address)))
          .run();
      });
    },
  };
}

/** Registrations per client address, successful or not: a bound on how fast one client makes accounts. */
export function registrationsOf(db: Db, settings: Config['register']) {
  const take = attemptCounter(db, {
    registration: { limit: settings.maxPerAddress, windowSeconds: settings.windowSeconds },
  });
  return { take: (address: string, now: Date) => take({ registration: address }, now) };
}
