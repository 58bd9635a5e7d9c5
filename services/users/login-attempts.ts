import { createHash } from 'node:crypto';
import { eq, lte, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Config } from '../../app/config';
import { admit, type ThrottlePolicy } from './login-throttle';
import { loginAttempts } from './schema';

/** Keys are hashed: the table must not become a list of emails and addresses someone tried. */
const keyOf = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('base64url')}`;

export interface AttemptKeys {
  email: string;
  address: string;
}

/**
 * Counts login attempts per email and per client address in the users database, so the limit
 * holds across restarts and instances. Counting happens before the password is checked (in one
 * immediate transaction), so concurrent guesses cannot slip past the limit together.
 */
export function loginAttemptsOf(db: BetterSQLite3Database<Record<string, unknown>>, settings: Config['login']) {
  const policies: Record<keyof AttemptKeys, ThrottlePolicy> = {
    email: { limit: settings.maxFailuresPerEmail, windowSeconds: settings.windowSeconds },
    address: { limit: settings.maxFailuresPerAddress, windowSeconds: settings.windowSeconds },
  };
  const kinds = Object.keys(policies) as (keyof AttemptKeys)[];

  return {
    /** Counts an attempt, or answers how long to wait when a key is at its limit (then nothing is counted). */
    take(keys: AttemptKeys, now: Date): { admitted: true } | { admitted: false; retryAfterSeconds: number } {
      return db.transaction(
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
    },

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
export type LoginAttempts = ReturnType<typeof loginAttemptsOf>;
