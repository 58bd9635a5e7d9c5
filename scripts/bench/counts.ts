import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { loadConfig } from '../../app/server/config';
import { startSystem } from '../../app/server/system';
import { createLogger } from '../../lib/logger';
import { Client, closedLoop, setUpShop } from './load';
import { messagesPerSaga, waitSettled } from './results';
import { sqliteData } from './shop-data';

/** Counts every SQLite commit of this process: transactions, and writes made outside one. */
function countCommits(): { count: () => number; reset: () => void } {
  let commits = 0;
  const proto = Database.prototype as unknown as { transaction: (fn: unknown) => any };
  const transaction = proto.transaction;
  proto.transaction = function (this: Database.Database, fn: unknown) {
    const wrapped = transaction.call(this, fn);
    const counted = (run: (...args: unknown[]) => unknown) =>
      function (this: unknown, ...args: unknown[]) {
        const result = run.apply(this, args);
        commits++;
        return result;
      };
    return Object.assign(counted(wrapped), {
      deferred: counted(wrapped.deferred),
      immediate: counted(wrapped.immediate),
      exclusive: counted(wrapped.exclusive),
    });
  };
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown };
  probe.close();
  const run = statement.run;
  statement.run = function (this: { reader: boolean; database: Database.Database }, ...args: unknown[]) {
    if (!this.reader && !this.database.inTransaction) commits++;
    return run.apply(this, args);
  };
  return { count: () => commits, reset: () => (commits = 0) };
}

/**
 * The product's own count of messages and SQLite commits per saga, on the embedded broker at
 * the load's concurrency (group commit makes commits per saga fall as load rises): the shop
 * runs in this process with every commit counted.
 */
export async function perSaga(concurrency: number, orders = 400): Promise<{ messages: number; commits: number }> {
  const commits = countCommits();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-counts-'));
  const data = sqliteData(dataDir);
  const system = await startSystem(loadConfig({ DATA_DIR: dataDir }), { logger: createLogger(undefined, 'silent') });
  const server = serve({ fetch: system.app.fetch, port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new Client(() => url);
  try {
    const shop = await setUpShop(client, orders, loadConfig({}).admin.password);
    await waitSettled(data);
    commits.reset();
    await closedLoop(client, shop, { orders, concurrency, progress: () => {} });
    await waitSettled(data);
    return { messages: await messagesPerSaga(data), commits: commits.count() / orders };
  } finally {
    client.close();
    server.close();
    await system.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
