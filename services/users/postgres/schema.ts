import { boolean, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

export { inbox, outbox } from '../../../broker/messaging/postgres/tables';

/** The users service's tables on PostgreSQL: those of ../sqlite/schema.ts, row for row. */

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  role: text('role', { enum: ['customer', 'admin'] }).notNull(),
  active: boolean('active').notNull(),
  /** Raised on every change of `active`, so a service hearing of changes out of order keeps the latest. */
  statusVersion: integer('status_version').notNull().default(0),
  passwordHash: text('password_hash').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Login attempts per key in the current window, shared by every instance. */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    windowEndsAt: text('window_ends_at').notNull(),
  },
  (table) => [index('login_attempts_window').on(table.windowEndsAt)],
);
