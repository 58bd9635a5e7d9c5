import { describe, expect, it } from 'vitest';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { LoginAttemptRow, UserRow, UsersStore } from './store';

const user = (id: string, changes: Partial<UserRow> = {}): UserRow => ({
  id,
  name: `User ${id}`,
  email: `${id}@example.com`,
  role: 'customer',
  active: true,
  statusVersion: 0,
  passwordHash: `hash-${id}`,
  createdAt: iso(0),
  updatedAt: iso(0),
  ...changes,
});

const attempts = (key: string, count: number, windowEndsAt: string): LoginAttemptRow => ({ key, count, windowEndsAt });

/** What the users service's store does, on either database; the inbox and outbox are in the messaging contract. */
export function usersStoreContract(name: string, makeDatabase: DatabaseFactory<UsersStore>): void {
  describe(`${name}: the users store contract`, () => {
    const db = freshDatabaseEachTest(makeDatabase);
    const tx = <R>(work: (store: UsersStore) => Promise<R>) => db().transaction(work);
    const attemptsOf = (key: string) => tx((store) => store.attemptsOf(key));

    describe('accounts', () => {
      it('finds a user as inserted by id and by email, and nobody for an unknown one', async () => {
        const admin = user('u1', { role: 'admin', statusVersion: 3, active: false });
        expect(await tx((store) => store.insertUser(admin))).toBe(true);
        expect(await tx((store) => store.findById('u1'))).toEqual(admin);
        expect(await tx((store) => store.findByEmail('u1@example.com'))).toEqual(admin);
        expect(await tx((store) => store.findById('u2'))).toBeUndefined();
        expect(await tx((store) => store.findByEmail('u2@example.com'))).toBeUndefined();
      });

      it('refuses a second account on a taken email, keeping the first', async () => {
        expect(await tx((store) => store.insertUser(user('u1')))).toBe(true);
        expect(await tx((store) => store.insertUser(user('u2', { email: 'u1@example.com' })))).toBe(false);
        expect(await tx((store) => store.findByEmail('u1@example.com'))).toEqual(user('u1'));
        expect(await tx((store) => store.findById('u2'))).toBeUndefined();
        expect(await tx((store) => store.insertUser(user('u2')))).toBe(true);
      });

      it('updates one user: the changes and the time, nothing else; undefined for an unknown one', async () => {
        await tx(async (store) => {
          await store.insertUser(user('u1'));
          await store.insertUser(user('u2'));
        });
        const expected = user('u1', { active: false, statusVersion: 1, updatedAt: iso(5) });
        expect(await tx((store) => store.updateUser('u1', { active: false, statusVersion: 1 }, at(5)))).toEqual(
          expected,
        );
        expect(await tx((store) => store.findById('u1'))).toEqual(expected);
        expect(await tx((store) => store.updateUser('u1', { name: 'Renamed' }, at(6)))).toEqual({
          ...expected,
          name: 'Renamed',
          updatedAt: iso(6),
        });
        expect(await tx((store) => store.findById('u2'))).toEqual(user('u2'));
        expect(await tx((store) => store.updateUser('nope', { active: false }, at(7)))).toBeUndefined();
        expect(await tx((store) => store.findById('nope'))).toBeUndefined();
      });

      it('lists by id, a page at a time after the cursor', async () => {
        await tx(async (store) => {
          for (const id of ['u4', 'u2', 'u5', 'u1', 'u3']) await store.insertUser(user(id));
        });
        const list = async (limit: number, after?: string) =>
          (await tx((store) => store.listUsers(limit, after))).map((row) => row.id);
        expect(await list(10)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
        expect(await list(2)).toEqual(['u1', 'u2']);
        expect(await list(2, 'u2')).toEqual(['u3', 'u4']);
        expect(await list(2, 'u4')).toEqual(['u5']);
        expect(await list(2, 'u5')).toEqual([]);
        expect((await tx((store) => store.listUsers(1)))[0]).toEqual(user('u1'));
      });
    });

    describe('attempts', () => {
      it('keeps the attempts counted against a key, replaced by each save', async () => {
        expect(await attemptsOf('k1')).toBeUndefined();
        await tx((store) => store.saveAttempts(attempts('k1', 1, iso(60))));
        expect(await attemptsOf('k1')).toEqual(attempts('k1', 1, iso(60)));
        await tx((store) => store.saveAttempts(attempts('k1', 2, iso(60))));
        await tx((store) => store.saveAttempts(attempts('k2', 1, iso(90))));
        expect(await attemptsOf('k1')).toEqual(attempts('k1', 2, iso(60)));
        await tx((store) => store.saveAttempts(attempts('k1', 1, iso(120))));
        expect(await attemptsOf('k1')).toEqual(attempts('k1', 1, iso(120)));
        expect(await attemptsOf('k2')).toEqual(attempts('k2', 1, iso(90)));
      });

      it('forgets every count whose window has closed by now, a window ending now included', async () => {
        await tx(async (store) => {
          await store.saveAttempts(attempts('ended', 3, iso(50)));
          await store.saveAttempts(attempts('ending-now', 3, iso(60)));
          await store.saveAttempts(attempts('open', 3, iso(61)));
        });
        await tx((store) => store.forgetClosedWindows(at(60)));
        expect(await attemptsOf('ended')).toBeUndefined();
        expect(await attemptsOf('ending-now')).toBeUndefined();
        expect(await attemptsOf('open')).toEqual(attempts('open', 3, iso(61)));
      });

      it('forgets the attempts of one key only', async () => {
        await tx(async (store) => {
          await store.saveAttempts(attempts('k1', 3, iso(60)));
          await store.saveAttempts(attempts('k2', 2, iso(60)));
        });
        await tx((store) => store.forgetAttempts('k1'));
        await tx((store) => store.forgetAttempts('unknown'));
        expect(await attemptsOf('k1')).toBeUndefined();
        expect(await attemptsOf('k2')).toEqual(attempts('k2', 2, iso(60)));
      });

      it('gives back one attempt at a time, never below zero, and to that key only', async () => {
        await tx(async (store) => {
          await store.saveAttempts(attempts('k1', 2, iso(60)));
          await store.saveAttempts(attempts('k2', 5, iso(70)));
        });
        await tx((store) => store.giveBackAttempt('k1'));
        expect(await attemptsOf('k1')).toEqual(attempts('k1', 1, iso(60)));
        await tx((store) => store.giveBackAttempt('k1'));
        await tx((store) => store.giveBackAttempt('k1'));
        expect(await attemptsOf('k1')).toEqual(attempts('k1', 0, iso(60)));
        expect(await attemptsOf('k2')).toEqual(attempts('k2', 5, iso(70)));
        // Nothing counted, nothing to give back: no count is made up.
        await tx((store) => store.giveBackAttempt('unknown'));
        expect(await attemptsOf('unknown')).toBeUndefined();
      });
    });
  });
}
