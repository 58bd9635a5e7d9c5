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

  it('fails a throwing item alone: the group goes again with a savepoint per item, and commits once', async () => {
    const { client, db, ids, commits } = database();
    const applied: string[] = [];
    const group = new GroupCommit(client, db);
    const note = (id: string) =>
      group.submit(async (tx) => {
        applied.push(id);
        tx.insert(notes).values({ id }).run();
        if (id.startsWith('poison')) throw new Error(`${id} refused`);
        return id;
      });
    const results = await Promise.allSettled(['a', 'poison', 'b', 'poison-too', 'c'].map(note));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: new Error('poison refused') },
      { status: 'fulfilled', value: 'b' },
      { status: 'rejected', reason: new Error('poison-too refused') },
      { status: 'fulfilled', value: 'c' },
    ]);
    // The poisons' own inserts went back to their savepoints; their neighbours' stayed.
    expect(ids().sort()).toEqual(['a', 'b', 'c']);
    // Whole until the first throw, then each item once more, in its savepoint.
    expect(applied).toEqual(['a', 'poison', 'a', 'poison', 'b', 'poison-too', 'c']);
    expect(commits()).toBe(1);
    expect(client.inTransaction).toBe(false);
  });

  it('lets a work read what its neighbours before it wrote, and not what a thrower wrote', async () => {
    const { client, db } = database();
    const group = new GroupCommit(client, db);
    const seen = (id: string) =>
      group.submit(async (tx) => {
        const before = tx
          .select()
          .from(notes)
          .all()
          .map((row) => row.id);
        tx.insert(notes).values({ id }).run();
        if (id === 'poison') throw new Error('refused');
        return before;
      });
    expect(await Promise.allSettled(['a', 'poison', 'b'].map(seen))).toEqual([
      { status: 'fulfilled', value: [] },
      { status: 'rejected', reason: new Error('refused') },
      { status: 'fulfilled', value: ['a'] },
    ]);
  });

  it('rejects with what a work threw, even a throw of nothing', async () => {
    const { client, db, ids } = database();
    const group = new GroupCommit(client, db);
    const nothing = group.submit(async (tx) => {
      tx.insert(notes).values({ id: 'x' }).run();
      throw undefined;
    });
    const kept = group.submit(async (tx) => void tx.insert(notes).values({ id: 'y' }).run());
    await expect(nothing).rejects.toBeUndefined();
    await kept;
    expect(ids()).toEqual(['y']);
  });

  it('applies the group again one by one when a work takes the whole transaction with it', async () => {
    const { client, db, ids } = database();
    const group = new GroupCommit(client, db);
    const rollback = client.prepare('ROLLBACK');
    const note = (id: string) =>
      group.submit(async (tx) => {
        tx.insert(notes).values({ id }).run();
        // As SQLite does on a full disk or an I/O error: the transaction is gone, not just the work.
        if (id === 'y') {
          rollback.run();
          throw new Error('disk full');
        }
      });
    const results = await Promise.allSettled(['x', 'y', 'z'].map(note));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'disk full' });
    expect(ids().sort()).toEqual(['x', 'z']);
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
