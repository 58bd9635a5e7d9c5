import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

const notes = sqliteTable('notes', { id: text('id').primaryKey() });

/**
 * An in-memory database, its drizzle instance as the store, and how many transactions were
 * committed: the runs of the COMMIT statement that succeeded, counted on the statement
 * GroupCommit prepares (so `client.prepare` is wrapped before it is built).
 */
function database() {
  const client = new Database(':memory:');
  client.exec('CREATE TABLE notes (id TEXT PRIMARY KEY)');
  let commits = 0;
  const prepare = client.prepare.bind(client);
  client.prepare = ((source: string) => {
    const statement = prepare(source);
    if (source.trim().toUpperCase() !== 'COMMIT') return statement;
    const run = statement.run.bind(statement);
    statement.run = ((...args: unknown[]) => {
      const result = run(...args);
      commits++;
      return result;
    }) as typeof statement.run;
    return statement;
  }) as typeof client.prepare;
  const db = drizzle({ client });
  return {
    client,
    db,
    ids: () =>
      db
        .select()
        .from(notes)
        .all()
        .map((row) => row.id),
    commits: () => commits,
  };
}

describe('group commit', () => {
  it('applies what is submitted in one turn in one transaction, and returns what each work returned', async () => {
    const { client, db, ids, commits } = database();
    const group = new GroupCommit(client, db);
    const note = (id: string) => group.submit(async (tx) => void tx.insert(notes).values({ id }).run());
    await Promise.all(['a', 'b', 'c'].map(note));
    expect(ids().sort()).toEqual(['a', 'b', 'c']);
    expect(commits()).toBe(1);

    await note('d');
    expect(commits()).toBe(2);
    expect(await group.submit(async () => 'what it returned')).toBe('what it returned');
  });

  it('fails a throwing item alone: the group is rolled back and applied again one by one', async () => {
    const { client, db, ids, commits } = database();
    const applied: string[] = [];
    const group = new GroupCommit(client, db);
    const note = (id: string) =>
      group.submit(async (tx) => {
        applied.push(id);
        tx.insert(notes).values({ id }).run();
        if (id === 'poison') throw new Error('poison refused');
      });
    const results = await Promise.allSettled(['a', 'poison', 'b', 'c'].map(note));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'poison refused' });
    // The poison's own insert went back with its transaction; its neighbours' stayed, once each.
    expect(ids().sort()).toEqual(['a', 'b', 'c']);
    expect(applied).toEqual(['a', 'poison', 'a', 'poison', 'b', 'c']);
    // Five transactions, of which the group's and the poison's were rolled back.
    expect(commits()).toBe(3);
  });

  it('fails only the item whose commit fails, and keeps nothing of it', async () => {
    const { client, db, ids } = database();
    // A deferred foreign key is checked at COMMIT: one dangling row makes its commit fail.
    db.run(sql`PRAGMA foreign_keys = ON`);
    db.run(sql`CREATE TABLE refs (id TEXT REFERENCES notes(id) DEFERRABLE INITIALLY DEFERRED)`);
    const group = new GroupCommit(client, db);
    const note = (id: string) =>
      group.submit(async (tx) => {
        tx.insert(notes).values({ id }).run();
        if (id === 'y') tx.run(sql`INSERT INTO refs (id) VALUES ('nowhere')`);
      });
    const results = await Promise.allSettled(['x', 'y', 'z'].map(note));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(ids().sort()).toEqual(['x', 'z']);
  });
});
