import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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

/** Messages committed with a state change, waiting to be published. */
export const outbox = sqliteTable('outbox', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  messageId: text('message_id').notNull().unique(),
  type: text('type').notNull(),
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
});
