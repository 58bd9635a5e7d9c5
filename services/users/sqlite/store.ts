import { asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { sqliteMessagingStore } from '../../../broker/messaging/sqlite/store';
import { changes, type SqliteStoreParts } from '../../../db/sqlite';
import { param } from '../../../db/statements';
import type { UsersStore } from '../store';
import * as schema from './schema';
import { loginAttempts, users } from './schema';

/** The users service's store on its SQLite connection. */
export function sqliteUsersStore(db: BetterSQLite3Database<typeof schema>): UsersStore {
  // What VerifyUser runs for every order.
  const findById = db
    .select()
    .from(users)
    .where(eq(users.id, param('id')))
    .prepare();

  return {
    ...sqliteMessagingStore(db),
    async findById(id) {
      return findById.get({ id });
    },
    async findByEmail(email) {
      return db.select().from(users).where(eq(users.email, email)).get();
    },
    async insertUser(row) {
      return changes(db.insert(users).values(row).onConflictDoNothing().run()) === 1;
    },
    async updateUser(id, changed, now) {
      return db
        .update(users)
        .set({ ...changed, updatedAt: now.toISOString() })
        .where(eq(users.id, id))
        .returning()
        .get();
    },
    async listUsers(limit, after) {
      return db
        .select()
        .from(users)
        .where(after ? gt(users.id, after) : undefined)
        .orderBy(asc(users.id))
        .limit(limit)
        .all();
    },
    async attemptsOf(key) {
      return db.select().from(loginAttempts).where(eq(loginAttempts.key, key)).get();
    },
    async saveAttempts(row) {
      db.insert(loginAttempts).values(row).onConflictDoUpdate({ target: loginAttempts.key, set: row }).run();
    },
    async forgetClosedWindows(now) {
      db.delete(loginAttempts).where(lte(loginAttempts.windowEndsAt, now.toISOString())).run();
    },
    async forgetAttempts(key) {
      db.delete(loginAttempts).where(eq(loginAttempts.key, key)).run();
    },
    async giveBackAttempt(key) {
      db.update(loginAttempts)
        .set({ count: sql`max(${loginAttempts.count} - 1, 0)` })
        .where(eq(loginAttempts.key, key))
        .run();
    },
  };
}

/** The SQLite store of the users: its schema, its migrations beside this file, and the store. */
export const usersSqlite: SqliteStoreParts<typeof schema, UsersStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: sqliteUsersStore,
};
