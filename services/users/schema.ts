import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export { inbox } from '../../broker/inbox';
export { outbox } from '../../broker/outbox';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  role: text('role', { enum: ['customer', 'admin'] }).notNull(),
  active: integer('active', { mode: 'boolean' }).notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});
export type UserRow = typeof users.$inferSelect;
