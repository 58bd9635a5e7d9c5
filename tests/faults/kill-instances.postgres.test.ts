import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Load, planOrders } from './load';
import { expectInterruptedEnded, killMidFlight, type Kill } from './mid-flight';
import { outcomeCounts, waitAllTerminal } from './settling';
import { setUpShop } from './shop';
import { Cluster, perServiceNames } from './cluster';
import { Cleanup } from './cleanup';
import { Rng, seedFor } from './seed';
import { rows } from './stores';

/**
 * Two instances of every service, each its own process, competing for the service's queue over
 * RabbitMQ and sharing its schema on PostgreSQL. One instance of each service is SIGKILLed in
 * turn, mid-load, and stays down to the end: the issue's "killed", and the harder case, since
 * nothing of the dead instance comes back to finish what it held. What it held must be taken
 * over by its sibling: its unacknowledged deliveries (RabbitMQ hands them to the other
 * consumer), the outbox rows its relay had claimed (another relay takes them once the claim's
 * lease, CLAIM_SECONDS = 30 s in broker/messaging/postgres/store.ts, has passed), and, for the
 * orchestrator, its sagas' deadlines (claimed from the database).
 */
describe('two instances of every service on PostgreSQL over RabbitMQ', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run(), 120_000);

  it('one instance of each service SIGKILLed in turn mid-load, left down: every saga ends, nothing lost, doubled or oversold, both instances in the trace', async () => {
    const seed = seedFor('kill-instances');
    const rng = new Rng(seed);
    const began = Date.now();

    // Deadlines far beyond the test: a lost message must show as a saga that never ends, not a
    // STEP_TIMEOUT (which the allowed reasons below leave out).
    const cluster = await Cluster.start({
      mode: 'per-service',
      transport: 'rabbitmq',
      store: 'postgres',
      instances: 2,
      env: { SAGA_STEP_TIMEOUTS_MS: '600000' },
    });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const startedAt = Date.now();

    const shop = await setUpShop(cluster.http, rng, { customers: 8, products: 5, stock: [40, 80] });
    const specs = planOrders(rng, shop, 200, { declined: 0.2, insufficientFunds: 0.1, cancel: 0.06 });
    // The first kill once both instances of every service have had work, the next ones spaced
    // through the load: all five land while orders are still being placed.
    const first = rng.int(40, 60);
    const victims = rng.shuffle(perServiceNames).map((service, i) => ({
      app: cluster.process(`${service}-${rng.int(1, 2)}`),
      afterOrders: first + i * rng.int(18, 26),
      delayMs: rng.int(0, 300),
    }));

    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    const placing = load.run(specs, { concurrency: 6, gapMs: () => rng.int(40, 120) });
    placing.catch(() => {});

    const killed: Kill[] = [];
    for (const victim of victims) {
      await load.reached(victim.afterOrders);
      await sleep(victim.delayMs);
      killed.push(await killMidFlight(victim.app, cluster, load, 0, { restart: false }));
    }
    const placed = await placing;
    const placedAt = Date.now();
    expect(load.placed, 'every order was placed with its kills behind it').toBe(specs.length);

    // Past the claim lease of the outbox rows a dead relay held, with room to spare.
    const views = await waitAllTerminal(cluster.http, shop, placed, {
      dataDir: cluster.dataDir,
      databaseUrl: cluster.databaseUrl,
      timeoutMs: 120_000,
    });
    const settledAt = Date.now();
    const state = await expectInvariantsExplained(observed(cluster, shop), { timeoutMs: 60_000 });
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });
    expectInterruptedEnded(state, placed, killed);

    // Work by both instances of every service, as the saga trace records who sent each message:
    // the participants' replies and the orders' OrderRequested as they came in, the
    // orchestrator's commands as they went out.
    const senders = await rows<{ producer: string; instance: string | null; n: number }>(
      cluster,
      'orchestrator',
      (t) =>
        `SELECT producer, instance, count(*) AS n FROM ${t('saga_trace')}
         WHERE (producer = 'orchestrator' AND direction = 'out') OR (producer <> 'orchestrator' AND direction = 'in')
         GROUP BY producer, instance ORDER BY producer, instance`,
    );
    const instancesOf = (service: string) =>
      senders.filter((row) => row.producer === service).map((row) => row.instance ?? 'unnamed');
    for (const service of perServiceNames)
      expect(instancesOf(service), `instances of ${service} that sent messages in the trace`).toEqual([
        `${service}-1`,
        `${service}-2`,
      ]);

    console.log(
      `[faults] kill-instances seed ${seed}: ${placed.length} orders, ${load.posts} POSTs ` +
        `(${load.noAnswers} unanswered, ${load.serverErrors} 5xx), ${load.cancels} cancels; killed in turn, left down: ` +
        `${killed.map((kill) => kill.report).join('; ')}; outcomes ${JSON.stringify(outcomeCounts(views.values()))}; ` +
        `messages sent per instance ${senders.map((row) => `${row.instance}=${row.n}`).join(' ')}; ` +
        `timings: cluster up +${startedAt - began} ms, placed +${placedAt - began} ms, ` +
        `all terminal +${settledAt - began} ms, total ${Date.now() - began} ms`,
    );
  }, 420_000);
});
