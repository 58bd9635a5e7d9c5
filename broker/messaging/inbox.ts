import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Message } from '../../contracts';
import { preparedQueries, rowParams, type SqliteDb } from '../../db/sqlite';

/** The ids of the messages a service has handled, written with their effect. */
export const inbox = sqliteTable('inbox', {
  messageId: text('message_id').primaryKey(),
  type: text('type').notNull(),
  handledAt: text('handled_at').notNull(),
});

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

const queries = preparedQueries((db) => ({
  record: db.insert(inbox).values(rowParams(inbox)).onConflictDoNothing().prepare(),
}));
