import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../contracts/rest';
import { waitFor } from '../../lib/wait';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Load, planOrders } from './load';
import { outcomeCounts, waitAllTerminal } from './settling';
import { setUpShop } from './shop';
import { Cluster, perServiceNames } from './cluster';
import { Cleanup } from './cleanup';
import { NoAnswer } from './http';
import { ensurePostgresUp, stopPostgres } from './postgres-admin';
import { Rng, seedFor } from './seed';

/**
 * Stops and starts the machine's PostgreSQL server (pg_ctlcluster). Every other PostgreSQL
 * client on this machine loses its connections meanwhile: this file runs alone, in the
 * `postgres-restart` project. The server is started again in a finally, in afterEach and in
 * afterAll, and each waits until `pg_isready` answers.
 */
describe('PostgreSQL restarted under load', () => {
  const cleanup = new Cleanup();
  let stopped = false;
  const restore = async () => {
    if (!stopped) return;
    await ensurePostgresUp();
    stopped = false;
  };
  afterEach(async () => {
    try {
      await restore();
    } finally {
      await cleanup.run();
    }
  }, 180_000);
  afterAll(async () => {
    stopped = true; // whatever happened, the server answers before the file ends
    await restore();
  }, 180_000);

  it('the server stopped a few seconds mid-load and started again: /health names the databases down, then every saga ends', async () => {
    const seed = seedFor('postgres-restart');
    const rng = new Rng(seed);
    const began = Date.now();
    await ensurePostgresUp(); // a previous run may have left it stopped

    const cluster = await Cluster.start({
      mode: 'all-in-one',
      transport: 'rabbitmq',
      store: 'postgres',
      // Far beyond the outage: a message lost with the database must not hide behind STEP_TIMEOUT.
      env: { SAGA_STEP_TIMEOUTS_MS: '120000' },
    });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);

    const shop = await setUpShop(cluster.http, rng, { customers: 6, products: 4, stock: [30, 50] });
    const specs = planOrders(rng, shop, 120, { declined: 0.2, insufficientFunds: 0.1, cancel: 0.06 });
    const outage = { afterOrders: rng.int(20, 50), delayMs: rng.int(0, 150), downMs: rng.int(2000, 4000) };

    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    // Orders keep coming during the outage: POST /orders answers 503 meanwhile, and the load retries.
    const placing = load.run(specs, { concurrency: 6, gapMs: () => rng.int(20, 120) });
    placing.catch(() => {});

    await load.reached(outage.afterOrders);
    await sleep(outage.delayMs);
    const stoppedAfter = load.placed;
    const stopAt = Date.now();
    const whileDown: { status: number; down: string[] }[] = [];
    let downFor = 0;
    let upAfterMs = 0;
    try {
      stopped = true;
      await stopPostgres();
      const stoppedIn = Date.now() - stopAt;
      // /health, asked over and over while the server is down.
      while (Date.now() - stopAt < stoppedIn + outage.downMs) {
        try {
          const reply = await cluster.http.call<Health>('GET', '/health', { timeoutMs: 5_000 });
          whileDown.push({ status: reply.status, down: reply.body?.down ?? [] });
        } catch (error) {
          if (!(error instanceof NoAnswer)) throw error;
          whileDown.push({ status: 0, down: [] });
        }
        await sleep(200);
      }
      downFor = Date.now() - stopAt;
      const startAt = Date.now();
      await ensurePostgresUp();
      stopped = false;
      upAfterMs = Date.now() - startAt;
    } finally {
      await restore();
    }
    const placedDuringOutage = load.placed - stoppedAfter;

    // Meanwhile /health answered 503 and named every service's database as down. Soft: what
    // follows (did every saga end?) is worth knowing even when /health got this wrong.
    const databases = perServiceNames.map((service) => `${service}.database`);
    expect.soft(whileDown.length, '/health asked while the server was down').toBeGreaterThan(0);
    const named = whileDown.filter(
      (reply) => reply.status === 503 && databases.every((database) => reply.down.includes(database)),
    );
    expect.soft(named.length, `/health while down: ${JSON.stringify(whileDown.slice(0, 3))}`).toBeGreaterThan(0);
    expect
      .soft(
        whileDown.filter((reply) => reply.status === 200),
        '/health said everything was up while the server was down',
      )
      .toEqual([]);

    // Back: /health answers 200 again by itself.
    let health: unknown;
    await waitFor(
      async () => {
        const reply = await cluster.http.call<Health>('GET', '/health').catch(() => undefined);
        health = reply?.body;
        return reply?.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: '/health to answer 200 once PostgreSQL is back' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(health)}`);
    });
    const healthyAt = Date.now();

    const placed = await placing;
    const views = await waitAllTerminal(cluster.http, shop, placed, {
      dataDir: cluster.dataDir,
      databaseUrl: cluster.databaseUrl,
      timeoutMs: 90_000,
    });
    const settledAt = Date.now();
    const state = await expectInvariantsExplained(observed(cluster, shop), { timeoutMs: 60_000 });
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });

    console.log(
      `[faults] postgres-restart seed ${seed}: ${placed.length} orders (${placedDuringOutage} accepted while PostgreSQL ` +
        `was down or coming back), ${load.posts} POSTs (${load.noAnswers} unanswered, ${load.serverErrors} 5xx), ` +
        `${load.cancels} cancels; outcomes ${JSON.stringify(outcomeCounts(views.values()))}; stopped after ` +
        `${stoppedAfter} orders, down ${downFor} ms (/health asked ${whileDown.length} times, ${named.length} answers ` +
        `naming every database down), start→pg_isready ${upAfterMs} ms, /health 200 again ` +
        `+${healthyAt - stopAt - downFor - upAfterMs} ms later; all terminal +${settledAt - began} ms, total ${Date.now() - began} ms`,
    );
  }, 300_000);
});
