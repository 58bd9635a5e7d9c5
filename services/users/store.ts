import { asc, eq, gt } from 'drizzle-orm';
import type { User } from '../../contracts/rest';
import { param, preparedQueries, type SqliteDb } from '../../db/sqlite';
import type { AccountStanding } from '../../http/account-standing';
import { users, type UserRow } from './sqlite/schema';

export const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: row.role,
  active: row.active,
});

export const findById = (db: SqliteDb, id: string) => queries(db).findById.get({ id });

export const findByEmail = (db: SqliteDb, email: string) => db.select().from(users).where(eq(users.email, email)).get();

export const standingOf = (user: UserRow | undefined): AccountStanding =>
  !user ? 'unknown' : user.active ? 'active' : 'deactivated';

export function insertUser(db: SqliteDb, row: UserRow): boolean {
  const result = db.insert(users).values(row).onConflictDoNothing().run() as { changes: number };
  return result.changes === 1;
}

export function updateUser(
  db: SqliteDb,
  id: string,
  changes: Partial<Pick<UserRow, 'active' | 'name' | 'statusVersion'>>,
  now: Date,
) {
  return db
    .update(users)
    .set({ ...changes, updatedAt: now.toISOString() })
    .where(eq(users.id, id))
    .returning()
    .get();
}

/** Keyset pagination by id: stable under concurrent inserts, unlike offsets. */
export const listUsers = (db: SqliteDb, limit: number, after?: string) =>
  db
    .select()
    .from(users)
    .where(after ? gt(users.id, after) : undefined)
    .orderBy(asc(users.id))
    .limit(limit)
    .all();

/** What VerifyUser runs for every order, built once per connection. */
const queries = preparedQueries((db) => ({
  findById: db
    .select()
    .from(users)
    .where(eq(users.id, param('id')))
    .prepare(),
}));
