import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { eq, sql } from 'drizzle-orm';
import { drizzle as nodePostgres } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as postgresJs } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import postgres from 'postgres';
import { print, runCli } from '../../lib/cli';
import { inbox, outbox, products } from '../../services/products/postgres/schema';

/**
 * `npx tsx scripts/bench/pg-drivers.ts`: which PostgreSQL driver under drizzle costs the shop
 * less, `pg` (node-postgres) or `postgres` (postgres.js). Each of `--loops` connections runs,
 * back to back, the transaction a message handler runs: BEGIN; record the message in the inbox
 * (on conflict do nothing); read a product by key; update it; add an outbox row; COMMIT; with
 * statements prepared once per connection. Prints transactions a second and this process's CPU
 * per transaction (what the driver and drizzle cost the service), each driver in turn, `--rounds` times.
 * Works in a database of its own on the server, dropped afterwards.
 */

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const program = new Command('pg-drivers')
  .option(
    '--url <url>',
    'a superuser on the server',
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--loops <n>', 'connections, each running transactions back to back', positive, 8)
  .option('--seconds <n>', 'how long each driver runs, each time', positive, 5)
  .option('--rounds <n>', 'how many times each driver runs, alternating', positive, 3)
  .action(async (options: { url: string; loops: number; seconds: number; rounds: number }) => {
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    const database = `bench_pg_drivers_${process.pid}`;
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const url = new URL(options.url);
      url.pathname = `/${database}`;
      await prepareTables(url.href, options.loops);
      print([`${options.loops} connections, ${options.seconds} s a run`]);
      for (let round = 1; round <= options.rounds; round++) {
        for (const driver of ['pg', 'postgres'] as const) {
          const { perSecond, cpuMsPerTx } = await measure(driver, url.href, options);
          print([
            `round ${round}  ${driver.padEnd(8)} ${perSecond.toFixed(0).padStart(6)} tx/s  ${cpuMsPerTx.toFixed(3)} client CPU ms/tx`,
          ]);
        }
      }
    } finally {
      await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

await runCli(program);

async function prepareTables(url: string, loops: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const migrationsFolder = fileURLToPath(new URL('../../services/products/postgres/migrations', import.meta.url));
    const db = nodePostgres({ client });
    await migrate(db, { migrationsFolder, migrationsSchema: 'public' });
    // One product per connection: the loops contend for the server, not for one row's lock.
    const now = new Date().toISOString();
    await db.insert(products).values(
      Array.from({ length: loops }, (_, loop) => ({
        id: `product-${loop}`,
        name: `Product ${loop}`,
        description: '',
        priceCents: 1000,
        stock: 1_000_000_000,
        reserved: 0,
        sold: 0,
        received: 1_000_000_000,
        createdAt: now,
        updatedAt: now,
      })),
    );
  } finally {
    await client.end();
  }
}

type AnyPgDatabase = PgDatabase<PgQueryResultHKT>;

/** The handler's transaction on one connection, its statements prepared once. */
function handlerTransaction(db: AnyPgDatabase, begin: () => Promise<unknown>, commit: () => Promise<unknown>) {
  const p = (name: string) => sql.placeholder(name);
  const record = db
    .insert(inbox)
    .values({ messageId: p('messageId'), type: 'ReserveStock', handledAt: p('now') })
    .onConflictDoNothing()
    .prepare('bench_inbox_record');
  const read = db
    .select()
    .from(products)
    .where(eq(products.id, p('productId')))
    .prepare('bench_product_read');
  const reserve = db
    .update(products)
    .set({ stock: sql`${products.stock} - 1`, reserved: sql`${products.reserved} + 1`, updatedAt: sql`${p('now')}` })
    .where(eq(products.id, p('productId')))
    .prepare('bench_product_reserve');
  const enqueue = db
    .insert(outbox)
    .values({ messageId: p('messageId'), type: 'StockReserved', payload: p('payload'), createdAt: p('now') })
    .prepare('bench_outbox_insert');
  const payload = JSON.stringify({ type: 'StockReserved', data: 'x'.repeat(300) });
  return async (productId: string) => {
    const messageId = randomUUID();
    const now = new Date().toISOString();
    await begin();
    await record.execute({ messageId, now });
    const [product] = await read.execute({ productId });
    if (!product) throw new Error(`no ${productId}`);
    await reserve.execute({ productId, now });
    await enqueue.execute({ messageId, payload, now });
    await commit();
  };
}

interface Connection {
  run: (productId: string) => Promise<void>;
  close: () => Promise<void>;
}

async function connectWith(driver: 'pg' | 'postgres', url: string): Promise<Connection> {
  if (driver === 'pg') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const db = nodePostgres({ client });
    const run = handlerTransaction(
      db,
      () => client.query('BEGIN'),
      () => client.query('COMMIT'),
    );
    return { run, close: () => client.end() };
  }
  // One connection a client, so BEGIN and the statements after it share it, as with pg.
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const db = postgresJs({ client });
  const run = handlerTransaction(
    db,
    () => client.unsafe('BEGIN'),
    () => client.unsafe('COMMIT'),
  );
  return { run, close: () => client.end() };
}

async function measure(driver: 'pg' | 'postgres', url: string, { loops, seconds }: { loops: number; seconds: number }) {
  const connections = await Promise.all(Array.from({ length: loops }, () => connectWith(driver, url)));
  try {
    // A warm-up second: statements prepared, JIT settled.
    await runFor(connections, 1000);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const done = await runFor(connections, seconds * 1000);
    const elapsed = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    return { perSecond: done / (elapsed / 1000), cpuMsPerTx: (user + system) / 1000 / done };
  } finally {
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

async function runFor(connections: Connection[], ms: number): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  await Promise.all(
    connections.map(async (connection, loop) => {
      while (performance.now() < until) {
        await connection.run(`product-${loop}`);
        done++;
      }
    }),
  );
  return done;
}
