import { eq, sql } from 'drizzle-orm';
import type { AccountEvent } from '../../contracts';
import { param, preparedQueries, type SqliteDb } from '../../db/sqlite';
import type { AccountStanding } from '../../http/account-standing';
import { accountStatus } from './sqlite/schema';

export const isAccountEvent = (message: { type: string }): message is AccountEvent =>
  message.type === 'UserDeactivated' || message.type === 'UserReactivated';

/** Keeps the newest status per account; events may arrive late, twice or out of order. */
export function applyAccountEvent(tx: SqliteDb, event: AccountEvent, now: Date): [] {
  const row = {
    userId: event.data.userId,
    active: event.type === 'UserReactivated',
    version: event.data.version,
    updatedAt: now.toISOString(),
  };
  tx.insert(accountStatus)
    .values(row)
    .onConflictDoUpdate({
      target: accountStatus.userId,
      set: { active: row.active, version: row.version, updatedAt: row.updatedAt },
      setWhere: sql`${accountStatus.version} < ${row.version}`,
    })
    .run();
  return [];
}

/**
 * Orders only hears of deactivations, so an account it has no row for is taken as active: users'
 * VerifyUser step still rejects an unknown account inside the saga.
 */
export function standingOf(db: SqliteDb, userId: string): AccountStanding {
  const row = queries(db).statusOf.get({ userId });
  return row && !row.active ? 'deactivated' : 'active';
}

/** Every order placed and cancelled asks: built once per connection. */
const queries = preparedQueries((db) => ({
  statusOf: db
    .select()
    .from(accountStatus)
    .where(eq(accountStatus.userId, param('userId')))
    .prepare(),
}));
