import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Message } from '../../contracts';
import { asc, inArray, lt } from 'drizzle-orm';
import { param, preparedQueries, rowParams, type SqliteDb } from '../../db/sqlite';

/**
 * The ids of the messages a service has handled, written with their effect. Kept for the
 * deduplication window (INBOX_RETENTION_MS), then forgotten oldest first.
 */
export const inbox = sqliteTable(
  'inbox',
  {
    messageId: text('message_id').primaryKey(),
    type: text('type').notNull(),
    handledAt: text('handled_at').notNull(),
  },
  (table) => [index('inbox_handled_at').on(table.handledAt)],
);

/**
 * Records the message as handled; false when it already was, so a redelivered or duplicated
 * message has no second effect. Call inside the transaction that applies the effect.
 */
export function recordFirstDelivery(tx: SqliteDb, message: Message, now: Date): boolean {
  const result = queries(tx).record.run({
    messageId: message.messageId,
    type: message.type,
    handledAt: now.toISOString(),
  }) as { changes: number };
  return result.changes === 1;
}

/**
 * Forgets up to `limit` ids handled before `cutoff`, oldest first; how many it forgot. A
 * duplicate of one of them that arrives later is handled again, so the window must outlast
 * any redelivery or outbox resend (see INBOX_RETENTION_MS).
 */
export function forgetHandledBefore(db: SqliteDb, cutoff: Date, limit: number): number {
  return (queries(db).forget.run({ cutoff: cutoff.toISOString(), limit }) as { changes: number }).changes;
}

const queries = preparedQueries((db) => ({
  record: db.insert(inbox).values(rowParams(inbox)).onConflictDoNothing().prepare(),
  forget: db
    .delete(inbox)
    .where(
      inArray(
        inbox.messageId,
        db
          .select({ id: inbox.messageId })
          .from(inbox)
          .where(lt(inbox.handledAt, param('cutoff')))
          .orderBy(asc(inbox.handledAt))
          .limit(param('limit')),
      ),
    )
    .prepare(),
}));
