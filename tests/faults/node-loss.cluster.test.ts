import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import {
  nodeOfPort,
  queueLeaders,
  runningNodes,
  startApp,
  startNode,
  stopApp,
  stopNode,
} from '../../scripts/cluster/cluster';
import { rabbitmqctl } from '../support/rabbitmqctl';
import { readEndState } from '../support/end-state';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Cleanup } from './cleanup';
import { Cluster, perServiceNames } from './cluster';
import { Load, planOrders } from './load';
import { queuesOf } from './rabbitmq-admin';
import { Rng, seedFor } from './seed';
import { outcomeCounts, waitAllTerminal } from './settling';
import { setUpShop } from './shop';

/**
 * A RabbitMQ node lost under load, on the three-node cluster of `npm run test:cluster` with
 * quorum queues (RABBITMQ_URL lists the nodes, BROKER_QUEUE_TYPE=quorum). The step deadlines
 * are the defaults: a node's loss must not take as long as a step may, so no order may end
 * STEP_TIMEOUT. Whatever a test stops is started again in a finally and in afterEach/afterAll.
 */
describe('a RabbitMQ node lost under load, on quorum queues', () => {
  const cleanup = new Cleanup();
  const stopped = new Map<string, 'app' | 'node'>();
  const restore = async () => {
    for (const [node, how] of stopped) {
      await (how === 'app' ? startApp(node) : startNode(node));
      stopped.delete(node);
    }
  };
  afterEach(async () => {
    try {
      await restore();
    } finally {
      await cleanup.run();
    }
  }, 180_000);
  afterAll(() => restore(), 180_000);

  it('the node leading the orchestrator queue stopped and started again: clients fail over, every saga ends, nothing lost or doubled', async () => {
    const seed = seedFor('node-loss');
    const rng = new Rng(seed);
    const began = Date.now();
    const cluster = await Cluster.start({ mode: 'per-service', transport: 'rabbitmq' });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const namespace = cluster.namespace!;

    const shop = await setUpShop(cluster.http, rng, { customers: 8, products: 5, stock: [40, 60] });
    const specs = planOrders(rng, shop, 200, { declined: 0.15, insufficientFunds: 0.05, cancel: 0.04 });
    const leader = (await queueLeaders()).get(`${namespace}.orchestrator`);
    expect(leader, 'the orchestrator queue has a leader').toBeDefined();
    const onLeader = await connectionsOn(namespace, leader!);
    expect(onLeader, 'processes connected to the leader, which must fail over').toBeGreaterThan(0);
    const connectionsBefore = await connectionsOn(namespace);

    // Paced so that orders are still being placed, and sagas running, all through the loss.
    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    const placing = load.run(specs, { concurrency: 3, gapMs: () => rng.int(150, 250) });
    placing.catch(() => {});
    await load.reached(rng.int(30, 60));

    const health = watchHealth(cluster);
    const stopAt = Date.now();
    const placedBefore = load.placed;
    let reconnectedAfterMs = 0;
    try {
      stopped.set(leader!, 'app');
      await stopApp(leader!);
      // Every connection lost with the node is made again on the two others while it is down.
      await waitFor(
        async () =>
          (await connectionsOn(namespace, leader!)) === 0 &&
          (await connectionsOn(namespace)) === connectionsBefore &&
          (await health.allOk()),
        { timeoutMs: 30_000, intervalMs: 200, what: 'every process to reconnect to another node' },
      );
      reconnectedAfterMs = Date.now() - stopAt;
      // Orders go on through the loss, and settle while the node stays down.
      await sleep(rng.int(2_000, 4_000));
      expect(await health.allOk(), 'every /health answers 200 while a node is down').toBe(true);
    } finally {
      await restore();
    }
    const downMs = Date.now() - stopAt;
    const samples = await health.stop();

    const placed = await placing;
    const views = await waitAllTerminal(cluster.http, shop, placed, { ...cluster.location, timeoutMs: 90_000 });
    const state = await expectInvariantsExplained(observed(cluster, shop), { timeoutMs: 60_000 });
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });
    const queues = await queuesOf(namespace);
    expect(
      queues.filter((queue) => queue.messages > 0),
      'messages left in a queue',
    ).toEqual([]);

    // A 503 names the broker, and only while the process had no node: never once it was back on one.
    const unhealthy = samples.filter((sample) => sample.status !== 200);
    expect(unhealthy.filter((sample) => !sample.down.includes('broker'))).toEqual([]);
    expect(unhealthy.filter((sample) => sample.at > stopAt + reconnectedAfterMs)).toEqual([]);

    // Orders placed in the two seconds before the loss (their sagas in flight when it came) or during it.
    const latency = latencies(await readEndState(cluster), stopAt - 2_000, stopAt + downMs);
    const withoutNode = Math.max(0, ...unhealthy.map((sample) => sample.at - stopAt));
    console.log(
      `[faults] node-loss seed ${seed}: ${placed.length} orders, stop_app of ${leader} (leader of the orchestrator ` +
        `queue, ${onLeader} of ${connectionsBefore} connections on it) after ${placedBefore} orders; last /health 503 ` +
        `+${withoutNode} ms (${unhealthy.length} of ${samples.length} samples), every connection on another node seen ` +
        `+${reconnectedAfterMs} ms; node down ${downMs} ms; orders placed across the loss: ${latency.count}, saga latency p50 ${latency.p50} ms, ` +
        `p99 ${latency.p99} ms, max ${latency.max} ms; outcomes ${JSON.stringify(outcomeCounts(views.values()))}; ` +
        `total ${Date.now() - began} ms`,
    );
  }, 300_000);

  it('a node stopped for good: the system keeps running on the other two', async () => {
    const seed = seedFor('node-gone');
    const rng = new Rng(seed);
    const cluster = await Cluster.start({ mode: 'all-in-one', transport: 'rabbitmq' });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const namespace = cluster.namespace!;
    const shop = await setUpShop(cluster.http, rng, { customers: 4, products: 3, stock: [20, 30] });
    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    const before = await load.run(planOrders(rng, shop, 20), { concurrency: 4 });
    await waitAllTerminal(cluster.http, shop, before, cluster.location);

    // The node this process is connected to, so that it must fail over, and lead queues that must elect anew.
    const [victim] = await nodesOf(namespace);
    expect(victim).toBeDefined();
    stopped.set(victim!, 'node');
    await stopNode(victim!);
    expect(await runningNodes()).not.toContain(victim);

    const after = await load.run(planOrders(rng, shop, 60, { cancel: 0.05 }), {
      concurrency: 6,
      gapMs: () => rng.int(0, 30),
    });
    const placed = [...before, ...after];
    const views = await waitAllTerminal(cluster.http, shop, placed, { ...cluster.location, timeoutMs: 60_000 });
    const state = await expectInvariantsExplained(observed(cluster, shop), { timeoutMs: 60_000 });
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });
    expect(await nodesOf(namespace), 'connected to the nodes left').not.toContain(victim);
    const leaders = await queueLeaders();
    const ours = [...leaders].filter(([queue]) => queue.startsWith(`${namespace}.`));
    expect(ours.length).toBeGreaterThan(0);
    expect(
      ours.filter(([, node]) => node === victim),
      'queues led by the stopped node',
    ).toEqual([]);
    console.log(
      `[faults] node-gone seed ${seed}: ${victim} stopped for good; ${after.length} orders placed and settled on ` +
        `the two others; outcomes ${JSON.stringify(outcomeCounts(views.values()))}`,
    );
  }, 240_000);
});

/** The nodes this namespace's processes (connections named `<namespace>/…`) are connected to, one entry per connection. */
async function connectionNodes(namespace: string): Promise<string[]> {
  // list_connections has no node column: the port a connection reached tells its node.
  const out = await rabbitmqctl(['list_connections', '-q', '--formatter', 'json', 'port', 'client_properties']);
  const connections = JSON.parse(out) as { port: number; client_properties: unknown }[];
  return connections
    .filter((connection) => JSON.stringify(connection.client_properties).includes(`"${namespace}/`))
    .map((connection) => nodeOfPort(connection.port).name);
}

/** How many of this namespace's connections are on `node`, or on any node. */
async function connectionsOn(namespace: string, node?: string): Promise<number> {
  return (await connectionNodes(namespace)).filter((on) => node === undefined || on === node).length;
}

async function nodesOf(namespace: string): Promise<string[]> {
  return [...new Set(await connectionNodes(namespace))];
}

interface HealthSample {
  process: string;
  at: number;
  status: number;
  down: string[];
}

/** Polls every process's GET /health every 100 ms until stopped. */
function watchHealth(cluster: Cluster) {
  const samples: HealthSample[] = [];
  const processes = perServiceNames.map((name) => cluster.process(name));
  const ask = async (process: (typeof processes)[number]): Promise<HealthSample> => {
    const at = Date.now();
    try {
      const response = await fetch(`${process.url}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { down?: string[] };
      return { process: process.name, at, status: response.status, down: body.down ?? [] };
    } catch (error) {
      return { process: process.name, at, status: 0, down: [String(error)] };
    }
  };
  let running = true;
  const polling = (async () => {
    while (running) {
      samples.push(...(await Promise.all(processes.map(ask))));
      await sleep(100);
    }
  })();
  return {
    async allOk(): Promise<boolean> {
      const now = await Promise.all(processes.map(ask));
      return now.every((sample) => sample.status === 200);
    },
    async stop(): Promise<HealthSample[]> {
      running = false;
      await polling;
      return samples;
    },
  };
}

/** Saga latency (placed to terminal) of the orders placed between `from` and `to`. */
function latencies(state: Awaited<ReturnType<typeof readEndState>>, from: number, to: number) {
  const times = state.orders
    .map((order) => order as unknown as { created_at: string; updated_at: string })
    .filter((order) => {
      const placedAt = Date.parse(order.created_at);
      return placedAt >= from && placedAt <= to;
    })
    .map((order) => Date.parse(order.updated_at) - Date.parse(order.created_at))
    .sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { count: times.length, p50: at(0.5), p99: at(0.99), max: times[times.length - 1] ?? 0 };
}
