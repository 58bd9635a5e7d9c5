import type { MessagingStore } from '../../broker/messaging/store';
import type { User } from '../../contracts/rest';
import type { AccountStanding } from '../../http/account-standing';
import type { LoginAttemptRow, UserRow } from './sqlite/schema';

export type { LoginAttemptRow, UserRow };

/** What the users service keeps: the accounts, and the attempts counted against the rate limits. */
export interface UsersStore extends MessagingStore {
  findById(id: string): Promise<UserRow | undefined>;
  findByEmail(email: string): Promise<UserRow | undefined>;
  /** False when the email is taken. */
  insertUser(row: UserRow): Promise<boolean>;
  updateUser(
    id: string,
    changes: Partial<Pick<UserRow, 'active' | 'name' | 'statusVersion'>>,
    now: Date,
  ): Promise<UserRow | undefined>;
  /** Keyset pagination by id: stable under concurrent inserts, unlike offsets. */
  listUsers(limit: number, after?: string): Promise<UserRow[]>;

  /** The attempts counted against `key`, held until the transaction ends where writers run side by side. */
  attemptsOf(key: string): Promise<LoginAttemptRow | undefined>;
  saveAttempts(row: LoginAttemptRow): Promise<void>;
  /** Forgets every count whose window has closed by `now`. */
  forgetClosedWindows(now: Date): Promise<void>;
  forgetAttempts(key: string): Promise<void>;
  /** One attempt given back, never below zero. */
  giveBackAttempt(key: string): Promise<void>;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: row.role,
  active: row.active,
});

export const standingOf = (user: UserRow | undefined): AccountStanding =>
  !user ? 'unknown' : user.active ? 'active' : 'deactivated';
