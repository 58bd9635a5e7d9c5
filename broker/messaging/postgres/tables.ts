import { bigint, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The inbox and outbox on PostgreSQL: the tables of ../sqlite/tables.ts, with the same columns
 * and row types, so one store interface serves both.
 */

export const inbox = pgTable(
  'inbox',
  {
    messageId: text('message_id').primaryKey(),
    type: text('type').notNull(),
    handledAt: text('handled_at').notNull(),
  },
  (table) => [index('inbox_handled_at').on(table.handledAt)],
);

export const outbox = pgTable('outbox', {
  // bigint: an outbox numbers every message a service ever sends; mode number keeps the row
  // type SQLite's (exact up to 2^53).
  seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  messageId: text('message_id').notNull().unique(),
  type: text('type').notNull(),
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
  /**
   * Until when a relay holds the row, publishing it; past it, another instance's relay takes it
   * (the one holding it died). Only here: one SQLite writer has one relay, which keeps a cursor.
   */
  claimedUntil: timestamp('claimed_until', { withTimezone: true, mode: 'string' }),
});
