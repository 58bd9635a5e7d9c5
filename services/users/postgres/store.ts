import { asc, eq, gt, lte, sql } from 'drizzle-orm';
import { postgresMessagingStore } from '../../../broker/messaging/postgres/store';
import { type PostgresDb, type PostgresStoreParts } from '../../../db/postgres';
import { param } from '../../../db/statements';
import type { UsersStore } from '../store';
import * as schema from './schema';
import { loginAttempts, users } from './schema';

/**
 * The users service's store on one PostgreSQL connection. Instances count attempts side by
 * side: a key's count is locked when read, so two attempts cannot both slip under the limit.
 */
export function postgresUsersStore(db: PostgresDb<typeof schema>): UsersStore {
  // What VerifyUser runs for every order.
  const findById = db
    .select()
    .from(users)
    .where(eq(users.id, param('id')))
    .prepare('users_find');

  return {
    ...postgresMessagingStore(db),
    async findById(id) {
      return (await findById.execute({ id }))[0];
    },
    async findByEmail(email) {
      return (await db.select().from(users).where(eq(users.email, email)))[0];
    },
    async insertUser(row) {
      const inserted = await db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
      return inserted.length === 1;
    },
    async updateUser(id, changed, now) {
      const [row] = await db
        .update(users)
        .set({ ...changed, updatedAt: now.toISOString() })
        .where(eq(users.id, id))
        .returning();
      return row;
    },
    async listUsers(limit, after) {
      return db
        .select()
        .from(users)
        .where(after ? gt(users.id, after) : undefined)
        .orderBy(asc(users.id))
        .limit(limit);
    },
    async attemptsOf(key) {
      return (await db.select().from(loginAttempts).where(eq(loginAttempts.key, key)).for('update'))[0];
    },
    async saveAttempts(row) {
      await db.insert(loginAttempts).values(row).onConflictDoUpdate({ target: loginAttempts.key, set: row });
    },
    async forgetClosedWindows(now) {
      await db.delete(loginAttempts).where(lte(loginAttempts.windowEndsAt, now.toISOString()));
    },
    async forgetAttempts(key) {
      await db.delete(loginAttempts).where(eq(loginAttempts.key, key));
    },
    async giveBackAttempt(key) {
      await db
        .update(loginAttempts)
        .set({ count: sql`greatest(${loginAttempts.count} - 1, 0)` })
        .where(eq(loginAttempts.key, key));
    },
  };
}

/** The PostgreSQL store of users: its schema, its migrations beside this file, and the store. */
export const usersPostgres: PostgresStoreParts<typeof schema, UsersStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: postgresUsersStore,
};
