import { createHash } from 'node:crypto';
import type { Database } from '../../db/database';
import type { Config } from '../../platform/config';
import type { UsersStore } from './store';
import { admit, type ThrottlePolicy } from './throttle';

/** Keys are hashed: the table must not become a list of emails and addresses someone tried. */
const keyOf = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('base64url')}`;

export interface AttemptKeys {
  email: string;
  address: string;
}

type Db = Database<UsersStore>;
type Admitted = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Counts attempts per key of each kind in the users database, so the limits hold across
 * restarts and instances. An attempt is counted before it is acted on (in one transaction),
 * so concurrent attempts cannot slip past the limit together.
 */
function attemptCounter<Kind extends string>(db: Db, policies: Record<Kind, ThrottlePolicy>) {
  const kinds = Object.keys(policies) as Kind[];
  /** Counts an attempt, or answers how long to wait when a key is at its limit (then nothing is counted). */
  return (keys: Record<Kind, string>, now: Date): Promise<Admitted> =>
    db.transaction(async (store) => {
      await store.forgetClosedWindows(now);
      const admissions = [];
      for (const kind of kinds) {
        const key = keyOf(kind, keys[kind]);
        admissions.push(admit(key, await store.attemptsOf(key), now, policies[kind]));
      }
      const refused = admissions.flatMap((a) => (a.admitted ? [] : [a.retryAfterSeconds]));
      if (refused.length > 0) return { admitted: false as const, retryAfterSeconds: Math.max(...refused) };
      for (const admission of admissions) if (admission.admitted) await store.saveAttempts(admission.row);
      return { admitted: true as const };
    });
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
    giveBack(keys: AttemptKeys): Promise<void> {
      return db.transaction(async (store) => {
        await store.forgetAttempts(keyOf('email', keys.email));
        await store.giveBackAttempt(keyOf('address', keys.address));
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
