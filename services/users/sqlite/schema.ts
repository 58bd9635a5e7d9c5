import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export { inbox, outbox } from '../../../broker/messaging/sqlite/tables';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  role: text('role', { enum: ['customer', 'admin'] }).notNull(),
  active: integer('active', { mode: 'boolean' }).notNull(),
  /** Raised on every change of `active`, so a service hearing of changes out of order keeps the latest. */
  statusVersion: integer('status_version').notNull().default(0),
  passwordHash: text('password_hash').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});
export type UserRow = typeof users.$inferSelect;

/**
 * Login attempts per key (a hashed email or client address) in the current window. Kept in the
 * database, not in memory, so a restart does not reset them and several instances share them.
 */
export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    windowEndsAt: text('window_ends_at').notNull(),
  },
  (table) => [index('login_attempts_window').on(table.windowEndsAt)],
);
export type LoginAttemptRow = typeof loginAttempts.$inferSelect;
