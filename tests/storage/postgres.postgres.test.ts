import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { inbox, products } from '../../services/products/postgres/schema';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import { DatabaseUnavailable, type Database } from '../../db/database';
import { bigintsAsNumbers, openPostgres, sqlStateOf } from '../../db/postgres';

const productsMigrationsUrl = new URL('../../services/products/postgres/migrations', import.meta.url);
const productsMigrations = fileURLToPath(productsMigrationsUrl);
const usersMigrations = new URL('../../services/users/postgres/migrations', import.meta.url);

/** A store as the services build theirs: statements prepared once, on the connection's drizzle instance. */
function testStore(db: NodePgDatabase<any>) {
  const p = sql.placeholder;
  const record = db
    .insert(inbox)
    .values({ messageId: p('messageId'), type: 'Test', handledAt: p('at') })
    .onConflictDoNothing()
    .prepare('test_record');
  const handled = db.select({ id: inbox.messageId }).from(inbox).orderBy(inbox.messageId).prepare('test_handled');
  const addStock = db
    .update(products)
    .set({ stock: sql`${products.stock} + 1` })
    .where(eq(products.id, p('id')))
    .prepare('test_add_stock');
  return {
    record: async (messageId: string) => void (await record.execute({ messageId, at: new Date().toISOString() })),
    handled: async () => (await handled.execute()).map((row) => row.id),
    addStock: async (id: string) => void (await addStock.execute({ id })),
    backend: async () => (await db.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid,
    fail: (code: string) => db.execute(sql.raw(`DO $$ BEGIN RAISE EXCEPTION 'test' USING ERRCODE = '${code}'; END $$`)),
  };
}
type TestStore = ReturnType<typeof testStore>;

let scratch: ScratchPostgres;
const opened: Database<TestStore>[] = [];

beforeEach(async () => {
  scratch = await scratchPostgres();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
  await scratch.drop();
});

async function open(schema = 'products', options: { poolSize?: number; migrations?: URL } = {}) {
  const db = await openPostgres(
    { url: scratch.url, schema },
    { schema: {}, migrations: options.migrations ?? productsMigrationsUrl, store: testStore },
    options.poolSize,
  );
  opened.push(db);
  return db;
}

/** Plain SQL on the scratch database, as its superuser. */
async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: scratch.url, types: bigintsAsNumbers });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Work that holds its connection until the test lets it go. */
function holding() {
  let started!: () => void;
  let release!: () => void;
  const hasStarted = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    hasStarted,
    release,
    work: async () => {
      started();
      await released;
    },
  };
}

/** Resolves once `count` callers are waiting on it, then at once for anyone after them. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === count) release();
    return all;
  };
}

describe('openPostgres', () => {
  it('applies the migrations once when two instances start together on a fresh database', async () => {
    await Promise.all([open(), open()]);
    await open();
    const tables = await query<{ table_schema: string }>(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'products'`,
    );
    expect(tables).toEqual([{ table_schema: 'products' }]);
    const applied = await query<{ hash: string; times: string }>(
      'SELECT hash, count(*) AS times FROM products.__drizzle_migrations GROUP BY hash',
    );
    const migrations = await import('drizzle-orm/migrator').then((m) =>
      m.readMigrationFiles({ migrationsFolder: productsMigrations }),
    );
    expect(applied.map((row) => [row.hash, Number(row.times)]).sort()).toEqual(
      migrations.map((migration) => [migration.hash, 1]).sort(),
    );
    // Nothing in drizzle's default schema, nor in public: the service's schema holds it all.
    expect(await query(`SELECT 1 FROM pg_namespace WHERE nspname = 'drizzle'`)).toEqual([]);
    expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([]);
  });

  it('keeps each service in its own schema', async () => {
    const productsDb = await open('products');
    const usersDb = await open('users', { migrations: usersMigrations });
    await productsDb.transaction((store) => store.record('to-products'));
    await usersDb.transaction((store) => store.record('to-users'));
    expect(await productsDb.read((store) => store.handled())).toEqual(['to-products']);
    expect(await usersDb.read((store) => store.handled())).toEqual(['to-users']);
    const users = await query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'users'`);
    expect(users).toEqual([{ table_schema: 'users' }]);
  });

  it('never shows the password of a URL it cannot use', async () => {
    for (const url of [
      'postgres://postgres:hunter2-secret@127.0.0.1:1/none',
      'postgres://postgres:hunter2-secret@[::1/x',
    ]) {
      const error = await openPostgres(
        { url, schema: 'products' },
        { schema: {}, migrations: productsMigrationsUrl, store: testStore },
      )
        .then(() => expect.unreachable())
        .catch((error: unknown) => error);
      expect(inspect(error, { depth: 10 })).not.toContain('hunter2');
    }
  });
});

describe('transaction', () => {
  it('commits what the work wrote and resolves to what it returned', async () => {
    const db = await open();
    expect(await db.transaction(async (store) => (await store.record('m1'), 'done'))).toBe('done');
    expect(await db.read((store) => store.handled())).toEqual(['m1']);
  });

  it('commits each statement of writeEach on its own: a failure keeps what came before it', async () => {
    const db = await open();
    await expect(
      db.writeEach(async (store) => {
        await store.record('m1');
        await store.fail('22012');
      }),
    ).rejects.toThrow();
    expect(await db.read((store) => store.handled())).toEqual(['m1']);
  });

  it('rolls back and rethrows when the work throws, without running it again', async () => {
    const db = await open();
    let runs = 0;
    const failing = db.transaction(async (store) => {
      runs++;
      await store.record('m1');
      throw new Error('the work failed');
    });
    await expect(failing).rejects.toThrow('the work failed');
    expect(runs).toBe(1);
    expect(await db.read((store) => store.handled())).toEqual([]);
  });

  it('runs the work again when PostgreSQL breaks a deadlock by aborting it', async () => {
    const [database] = new URL(scratch.url).pathname.slice(1).split('/');
    await query(`ALTER DATABASE ${database} SET deadlock_timeout = '50ms'`);
    const db = await open();
    const now = new Date().toISOString();
    await query(
      `INSERT INTO products.products VALUES ($1, 'a', '', 1, 0, 0, 0, 0, NULL, $3, $3), ($2, 'b', '', 1, 0, 0, 0, 0, NULL, $3, $3)`,
      ['p1', 'p2', now],
    );
    // Each locks one product, waits until the other holds its own, then wants the other's.
    const bothHoldOne = barrier(2);
    let runs = 0;
    const crossing = (first: string, second: string) =>
      db.transaction(async (store) => {
        runs++;
        await store.addStock(first);
        await bothHoldOne();
        await store.addStock(second);
      });
    await Promise.all([crossing('p1', 'p2'), crossing('p2', 'p1')]);
    expect(runs).toBe(3);
    expect(await query('SELECT id, stock FROM products.products ORDER BY id')).toEqual([
      { id: 'p1', stock: 2 },
      { id: 'p2', stock: 2 },
    ]);
  });

  it('calls the database unavailable, not the work wrong, when the server has no connection left', async () => {
    const db = await open();
    const refused = db.transaction((store) => store.fail('53300')).catch((error: unknown) => error);
    expect(await refused).toBeInstanceOf(DatabaseUnavailable);
    const wrong = db.transaction((store) => store.fail('22012')).catch((error: unknown) => error);
    expect(await wrong).not.toBeInstanceOf(DatabaseUnavailable);
  });

  it('gives up on a conflict that keeps coming back, with its error', async () => {
    const db = await open();
    let runs = 0;
    const endless = db.transaction(async (store) => {
      runs++;
      await store.fail('40001');
    });
    expect(sqlStateOf(await endless.catch((error: unknown) => error))).toBe('40001');
    expect(runs).toBeGreaterThan(1);
    expect(runs).toBeLessThan(20);
  });
});

describe('the pool', () => {
  it('replaces connections whose backends were terminated, without failing a caller', async () => {
    const db = await open('products', { poolSize: 2 });
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    try {
      /** Each connection's backend, both checked out at once so that they are the two there are. */
      const backends = () => {
        const bothOut = barrier(2);
        return Promise.all([1, 2].map(() => db.read(async (store) => (await bothOut(), store.backend()))));
      };
      const terminate = (pids: number[]) =>
        admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);

      // Transactions at once: BEGIN may go out before the client has read that its backend is gone.
      const first = await backends();
      await terminate(first);
      await Promise.all(['t1', 't2'].map((id) => db.transaction((store) => store.record(id))));

      // Reads, once the backends are gone.
      const second = await backends();
      await terminate(second);
      await vi.waitFor(async () => {
        const left = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)', [second]);
        expect(left.rowCount).toBe(0);
      });
      expect(await Promise.all([1, 2].map(() => db.read((store) => store.handled())))).toEqual([
        ['t1', 't2'],
        ['t1', 't2'],
      ]);
      await db.ping();
      const third = await backends();
      expect(new Set([...first, ...second, ...third]).size).toBe(6);
    } finally {
      await admin.end();
    }
  });

  it('serves transactions waiting for a connection in the order they came', async () => {
    const db = await open('products', { poolSize: 1 });
    const hold = holding();
    const held = db.transaction(hold.work);
    const served: number[] = [];
    const waiting = [1, 2, 3, 4].map((n) => db.transaction(async () => void served.push(n)));
    await hold.hasStarted;
    hold.release();
    await Promise.all([held, ...waiting]);
    expect(served).toEqual([1, 2, 3, 4]);
  });

  it('reads on connections of their own, never behind a queue of transactions', async () => {
    const db = await open('products', { poolSize: 1 });
    const hold = holding();
    const held = db.transaction(hold.work);
    await hold.hasStarted;
    expect(await db.read(async (store) => store.handled())).toEqual([]);
    hold.release();
    await held;
  });

  it('closes once the work under way is done, and takes no more', async () => {
    const db = await open('products', { poolSize: 1 });
    const hold = holding();
    let finished = false;
    const running = db.transaction(async (store) => {
      await hold.work();
      await store.record('last');
      finished = true;
    });
    await hold.hasStarted;
    const closed = db.close();
    hold.release();
    await closed;
    expect(finished).toBe(true);
    await running;
    await expect(db.read((store) => store.handled())).rejects.toThrow('the database is closed');
    expect(await query('SELECT message_id FROM products.inbox')).toEqual([{ message_id: 'last' }]);
  });
});
