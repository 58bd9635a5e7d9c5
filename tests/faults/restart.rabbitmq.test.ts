import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Load, planOrders } from './load';
import { outcomeCounts, waitAllTerminal } from './settling';
import { setUpShop } from './shop';
import { Cluster } from './cluster';
import { Cleanup } from './cleanup';
import { ensureRabbitUp, queuesOf, stopRabbitApp } from './rabbitmq-admin';
import { Rng, seedFor } from './seed';

/**
 * Stops and starts the shared RabbitMQ node's application. Every other RabbitMQ client on
 * this machine loses its connection meanwhile, so other test files running at the same time
 * over RabbitMQ may be slowed down or fail: run this file on its own (see the fault suite's
 * notes). RabbitMQ is started again in a finally, in afterEach and in afterAll, and each waits
 * until it accepts connections.
 */
describe('RabbitMQ restarted under load', () => {
  const cleanup = new Cleanup();
  let stopped = false;
  const restore = async () => {
    if (!stopped) return;
    await ensureRabbitUp();
    stopped = false;
  };
  afterEach(async () => {
    try {
      await restore();
    } finally {
      await cleanup.run();
    }
  }, 180_000);
  afterAll(() => restore(), 180_000);

  it('rabbitmqctl stop_app / start_app mid-load: connections and consumers come back, every saga ends', async () => {
    const seed = seedFor('rabbitmq-restart');
    const rng = new Rng(seed);
    const began = Date.now();
    await ensureRabbitUp(); // a previous run may have left it stopped

    const cluster = await Cluster.start({
      mode: 'all-in-one',
      transport: 'rabbitmq',
      // Far beyond the outage: a message lost with the broker must not hide behind STEP_TIMEOUT.
      env: { SAGA_STEP_TIMEOUTS_MS: '120000' },
    });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const namespace = cluster.namespace!;

    const shop = await setUpShop(cluster.http, rng, { customers: 6, products: 4, stock: [25, 40] });
    const specs = planOrders(rng, shop, 100, { declined: 0.2, insufficientFunds: 0.1, cancel: 0.06 });
    const outage = { afterOrders: rng.int(15, 45), delayMs: rng.int(0, 150), downMs: rng.int(1000, 3000) };

    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    // Orders keep coming during the outage: POST /orders only writes the outbox.
    const placing = load.run(specs, { concurrency: 6, gapMs: () => rng.int(20, 120) });
    placing.catch(() => {});

    await load.reached(outage.afterOrders);
    await sleep(outage.delayMs);
    const stoppedAfter = load.placed;
    const stopAt = Date.now();
    let downFor = 0;
    let upAfterMs = 0;
    try {
      stopped = true;
      await stopRabbitApp();
      await sleep(outage.downMs);
      downFor = Date.now() - stopAt;
      const startAt = Date.now();
      await ensureRabbitUp();
      stopped = false;
      upAfterMs = Date.now() - startAt;
    } finally {
      await restore();
    }
    const placedDuringOutage = load.placed - stoppedAfter;

    // Every queue of this namespace has its consumer back (the all-in-one process consumes all five).
    let queues = await queuesOf(namespace);
    await waitFor(
      async () => {
        queues = await queuesOf(namespace);
        const main = queues.filter((queue) => !queue.name.endsWith('.dlq'));
        return main.length === 5 && main.every((queue) => queue.consumers >= 1);
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every queue to have its consumer back' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(queues)}`);
    });
    const consumersBackAt = Date.now();

    const placed = await placing;
    const views = await waitAllTerminal(cluster.http, shop, placed, { dataDir: cluster.dataDir, timeoutMs: 60_000 });
    const settledAt = Date.now();
    const state = await expectInvariantsExplained(observed(cluster, shop), { timeoutMs: 60_000 });
    await expectNothingLostOrDoubled(cluster.dataDir, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });
    // Nothing was dead-lettered by the outage, and nothing is left in the queues.
    queues = await queuesOf(namespace);
    expect(
      queues.filter((queue) => queue.messages > 0),
      'messages left in a queue or dead-letter queue',
    ).toEqual([]);

    console.log(
      `[faults] rabbitmq-restart seed ${seed}: ${placed.length} orders (${placedDuringOutage} accepted while RabbitMQ ` +
        `was down or coming back), ${load.posts} POSTs (${load.noAnswers} unanswered, ${load.serverErrors} 5xx), ` +
        `${load.cancels} cancels; outcomes ${JSON.stringify(outcomeCounts(views.values()))}; stop_app after ` +
        `${stoppedAfter} orders, down ${downFor} ms, start_app→answering ${upAfterMs} ms, consumers back ` +
        `+${consumersBackAt - stopAt - downFor - upAfterMs} ms later; all terminal +${settledAt - began} ms, total ${Date.now() - began} ms`,
    );
  }, 300_000);
});
