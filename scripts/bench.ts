import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runCli } from '../lib/cli';
import { rabbitCeilings, sqliteCommitsPerSecond } from './bench/ceiling';
import { perSaga } from './bench/counts';
import {
  brokerOf,
  brokerVariants,
  modes,
  stores,
  withDeployment,
  type Broker,
  type BrokerVariant,
  type Mode,
  type Store,
} from './bench/deployment';
import { clusterBrokerUrl } from './cluster/cluster';
import { closedLoop, openLoop } from './bench/load';
import { runSoak, SOAK_ORDERS } from './bench/soak';
import { runChaos } from './bench/chaos';
import { runOverload } from './bench/overload';
import { runSearch } from './bench/search';
import { clearStatus, status } from './bench/report';
import { nameOf, printResults, type Result } from './bench/result-table';
import { compareRoutes, type RoutesRate } from './bench/http-rate';
import { ProductProcess } from './bench/product';
import { idleShare, machineCpu } from './bench/machine';
import { mainThreadProfile, summarise, type Share } from './bench/profile';
import { invariantViolations, percentile, sagaLatencies, waitSettled } from './bench/results';

/**
 * `npm run bench`: how many sagas a second the shop settles on this machine, against the limit
 * the machine itself sets, measured in the same run.
 *
 * - The limit: RabbitMQ's own rate for persistent, confirmed, acked messages, SQLite's rate of
 *   small commits with the product's settings, and the product's own count of messages and
 *   commits per saga; the ceiling is the lower of the two quotients.
 * - The product: started as child processes (embedded all-in-one; RabbitMQ all-in-one; RabbitMQ
 *   one process per service) and loaded over HTTP from this process, first in a closed loop
 *   (`--concurrency` customers, each waiting for their order), then in an open loop at a fixed
 *   arrival rate (`--rate`, by default half of what the closed loop reached), since a closed
 *   loop hides queueing delay. Saga latency is the orders service's own, creation to terminal.
 * - While the closed loop runs, the share of the machine left idle and the load generator's own
 *   CPU per saga: what more cores for the shop could gain on this machine.
 * - After each run, the invariants over the databases.
 * - With `--brokers single,cluster`, each RabbitMQ mode twice: on one node with classic queues,
 *   and on a cluster (`--cluster`, by default the one of `npm run cluster:up`) with quorum
 *   queues; the cluster's sagas/s and open-loop p99 as a share of the single node's, and each
 *   its own RabbitMQ ceiling.
 * - With `--profile <dir>`, a CPU profile of every product process (`<dir>/<mode>/<process>.cpuprofile`,
 *   for Chrome's DevTools) and a summary of where its busy time went; the HTTP path is then
 *   not measured, so that the profile is the sagas' alone.
 */

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

const program = new Command('bench')
  .description('Sagas per second on each transport, against the ceiling this machine sets')
  .option('--orders <n>', 'orders of the closed loop', positive, 3000)
  .option('--concurrency <n>', 'customers in the closed loop, each waiting for its order (at most 100)', positive, 64)
  .option('--rate <n>', 'arrivals a second of the open loop (default: half the closed loop’s rate)', positive)
  .option('--seconds <n>', 'how long the open loop runs', positive, 10)
  .option('--modes <list>', `which of ${modes.join(', ')}`, (value) => value.split(','), [...modes])
  .option('--store <list>', `where the services keep their state: ${stores.join(', ')}`, (value) => value.split(','), [
    'sqlite',
  ])
  .option(
    '--instances <list>',
    'processes of each part (the all-in-one, or each service) over RabbitMQ, e.g. 1,2; PostgreSQL only past 1',
    (value) => value.split(',').map((n) => positive(n)),
    [1],
  )
  .option('--rabbitmq <url>', 'the RabbitMQ to use', 'amqp://guest:guest@127.0.0.1:5672')
  .option(
    '--brokers <list>',
    'what the RabbitMQ modes run on: single (--rabbitmq, classic queues), cluster (--cluster, quorum queues)',
    (value) => value.split(','),
    ['single'],
  )
  .option('--cluster <urls>', 'with --brokers cluster, its nodes, separated by commas', clusterBrokerUrl)
  .option(
    '--postgres <url>',
    'with --store postgres, the server to make the database on (as a user that may)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--profile <dir>', 'write a CPU profile of every product process there, and summarise it')
  .option('--soak', `instead: ${SOAK_ORDERS} orders (or --orders) in one closed loop, measured in ten slices`)
  .option('--chaos', 'instead: full load while processes are killed with SIGKILL and restarted, then the invariants')
  .option('--kills <n>', 'with --chaos, how many kills over the run', positive, 5)
  .option('--overload', 'instead: --customers placing orders back to back for --seconds, past what the shop can take')
  .option('--customers <n>', 'with --overload, how many customers at once', positive, 512)
  .option('--search', 'instead: the saga search (GET /sagas) on a SQLite saga store of --sagas sagas')
  .option('--sagas <n>', 'with --search, how many sagas the store holds', positive, 1_000_000)
  .action((options) =>
    options.search
      ? runSearch(options)
      : options.soak
        ? runSoak({
            ...options,
            orders: program.getOptionValueSource('orders') === 'default' ? SOAK_ORDERS : options.orders,
          })
        : options.chaos
          ? runChaos(options)
          : options.overload
            ? runOverload(options)
            : run(options),
  );

async function run(options: {
  orders: number;
  concurrency: number;
  rate?: number;
  seconds: number;
  modes: Mode[];
  store: Store[];
  instances: number[];
  rabbitmq: string;
  brokers: BrokerVariant[];
  cluster: string;
  postgres: string;
  profile?: string;
}) {
  if (options.concurrency > 100) throw new Error('--concurrency must be at most 100 (one page of pending orders)');
  for (const mode of options.modes) if (!modes.includes(mode)) throw new Error(`unknown mode ${mode}`);
  for (const store of options.store) if (!stores.includes(store)) throw new Error(`unknown store ${store}`);
  for (const variant of options.brokers)
    if (!brokerVariants.includes(variant)) throw new Error(`unknown broker ${variant}`);
  const needsRabbit = options.modes.some((mode) => mode !== 'embedded');
  const brokers = needsRabbit ? options.brokers.map((variant) => brokerOf(variant, options)) : [];
  // Several instances share their queues on RabbitMQ and their database on PostgreSQL: a SQLite
  // file, like the embedded broker, belongs to one process. Each RabbitMQ run once per broker,
  // back to back.
  const runs = options.modes.flatMap((mode) =>
    options.store.flatMap((store) =>
      options.instances
        .filter((instances) => instances === 1 || (mode !== 'embedded' && store === 'postgres'))
        .flatMap((instances) =>
          (mode === 'embedded' ? [undefined] : brokers).map((broker) => ({ mode, store, instances, broker })),
        ),
    ),
  );

  status('measuring the ceiling: SQLite commits');
  const sqliteCommits = await sqliteCommitsPerSecond();
  const rabbit = await rabbitCeilings(brokers, options.rabbitmq);
  status('counting messages and commits per saga');
  const counts = await perSaga(options.concurrency);
  // The embedded broker is bound by SQLite alone; over RabbitMQ, by whichever limit is lower.
  const sqliteCeiling = sqliteCommits / counts.commits;
  const ceilingOf = ({ broker }: Pick<Result, 'broker'>) =>
    broker === undefined ? sqliteCeiling : Math.min(sqliteCeiling, rabbit[broker]!.messagesPerSecond / counts.messages);

  const results: Result[] = [];
  for (const { mode, store, instances, broker } of runs)
    results.push(await measure(mode, { ...options, store, instances, broker }));
  clearStatus();

  const fixed = (n: number, digits = 0) => n.toFixed(digits);
  const rabbitRates = brokers.map(({ name }) => `${name} ${fixed(rabbit[name]!.messagesPerSecond)} msgs/s`).join(', ');
  console.log(
    `ceiling: SQLite ${fixed(sqliteCommits)} commits/s ÷ ${fixed(counts.commits, 1)} commits per saga` +
      (brokers.length === 0 ? '' : `; RabbitMQ ${rabbitRates} ÷ ${fixed(counts.messages, 1)} messages per saga`) +
      `: ${fixed(sqliteCeiling)} sagas/s embedded` +
      brokers.map(({ name }) => `, ${fixed(ceilingOf({ broker: name }))} sagas/s over ${name}`).join(''),
  );
  if (brokers.length > 0)
    console.log(
      'RabbitMQ on its own: ' +
        Object.entries(rabbit)
          .map(([name, q]) => `${name} ${fixed(q.messagesPerSecond)} msgs/s, one hop ${fixed(q.hopMs, 1)} ms`)
          .join('; '),
    );
  console.log(
    `closed loop: ${options.orders} orders, ${options.concurrency} customers; open loop: ${options.seconds} s; latencies in ms`,
  );
  printResults(results, ceilingOf);
  console.log(
    'idle %: the machine’s CPU time left unused during the closed loop; load CPU: the load generator’s ms per saga, on the same cores',
  );
  // Each cluster run against the single node's run of the same mode, store and instances.
  const single = brokerOf('single', options).name;
  const cluster = brokerOf('cluster', options).name;
  for (const r of results.filter((r) => r.broker === cluster)) {
    const base = results.find(
      (b) => b.broker === single && b.mode === r.mode && b.store === r.store && b.instances === r.instances,
    );
    if (base)
      console.log(
        `${nameOf(r)} against ${single}: ${fixed((100 * r.closed.sagasPerSecond) / base.closed.sagasPerSecond)} % of the sagas/s, ` +
          `open-loop saga p99 ${fixed((100 * r.open.sagaP99) / base.open.sagaP99)} % (at ${r.open.rate}/s and ${base.open.rate}/s)`,
      );
  }
  const http = results.find((r) => r.http)?.http;
  if (http) {
    const { bare, shop } = http;
    console.log(
      `HTTP, 32 connections, median of 3 turns: bare hono ${fixed(bare.products)} req/s (GET /products), ${fixed(bare.health)} (GET /health); ` +
        `the shop ${fixed(shop.products)} (${fixed((100 * shop.products) / bare.products)} %), ` +
        `${fixed(shop.health)} (${fixed((100 * shop.health) / bare.health)} %); ` +
        `the load generator's own CPU at most ${fixed(100 * bare.clientCpu)} % of a core against bare hono, ` +
        `${fixed(100 * shop.clientCpu)} % against the shop`,
    );
  }
  for (const result of results)
    for (const [name, { file, shares }] of Object.entries(result.profile ?? {}))
      console.log(
        `profile ${nameOf(result)} ${name}: ` +
          shares.map(({ where, share }) => `${where} ${fixed(share * 100)} %`).join(', ') +
          ` (${file})`,
      );
  console.log(
    JSON.stringify({
      ceiling: { sqliteCommits, rabbit, ...counts },
      results: results.map((r) => ({ ...r, ceiling: ceilingOf(r) })),
    }),
  );
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}

async function measure(
  mode: Mode,
  options: {
    orders: number;
    concurrency: number;
    rate?: number;
    seconds: number;
    rabbitmq: string;
    postgres: string;
    profile?: string;
    store: Store;
    instances: number;
    /** Where a RabbitMQ mode runs; none for the embedded one. */
    broker?: Broker;
  },
): Promise<Result> {
  const { store, instances } = options;
  const broker = options.broker?.name;
  const label = nameOf({ mode, store, instances, broker });
  const profileDir = options.profile && join(options.profile, label.replaceAll(/,? /g, '-'));
  status(`${label}: starting`);
  let names: string[] = [];
  const deploymentOptions = {
    rabbitmq: options.broker?.url ?? options.rabbitmq,
    queueType: options.broker?.queueType,
    postgres: options.postgres,
    profileDir,
    store,
    instances,
  };
  const result = await withDeployment(mode, deploymentOptions, async (deployment) => {
    const { client, shop, data, processes } = deployment;
    names = processes.map((p) => p.name);
    const cpuBefore = processes.reduce((sum, p) => sum + p.usage().cpuSeconds, 0);
    const writtenBefore = processes.reduce((sum, p) => sum + p.usage().writtenBytes, 0);
    const closedSince = new Date().toISOString();
    const machineBefore = machineCpu();
    const loadBefore = process.cpuUsage();
    const closed = await closedLoop(client, shop, {
      orders: options.orders,
      concurrency: options.concurrency,
      progress: (done) => status(`${label}: closed loop ${done}/${options.orders}`),
    });
    await waitSettled(data);
    const closedIdle = idleShare(machineBefore, machineCpu());
    const loadCpu = process.cpuUsage(loadBefore);
    const closedSagas = await sagaLatencies(data, closedSince);

    const rate = options.rate ?? Math.max(1, Math.round(closed.sagasPerSecond / 2));
    const openSince = new Date().toISOString();
    const open = await openLoop(client, shop, {
      rate,
      seconds: options.seconds,
      progress: (done) => status(`${label}: open loop at ${rate}/s, ${done} placed`),
    });
    await waitSettled(data);
    const openSagas = await sagaLatencies(data, openSince);

    const usage = processes.map((p) => ({ name: p.name, ...p.usage() }));
    // After the sagas' CPU and peak memory are read, so that neither counts this; not when
    // profiling, so that the profile is the sagas' alone.
    let http: Result['http'];
    if (mode === 'embedded' && store === 'sqlite' && !profileDir) {
      const bare = await ProductProcess.start('bare-hono', {}, { entry: 'scripts/bench/bare-hono.ts' });
      try {
        http = await compareRoutes(bare.url, processes[0]!.url, { progress: (text) => status(`${mode}: ${text}`) });
      } finally {
        await bare.stop();
      }
    }
    const completed = closed.accepted + open.accepted;
    return {
      mode,
      store,
      instances,
      ...(broker && { broker }),
      closed: {
        sagasPerSecond: closed.sagasPerSecond,
        postP50: percentile(closed.postMs, 0.5),
        ...latencies(closedSagas.ms),
        idleShare: closedIdle,
        loadCpuMsPerSaga: (loadCpu.user + loadCpu.system) / 1000 / closed.accepted,
      },
      open: { rate, sagasPerSecond: openSagas.sagasPerSecond, shed: open.shed, ...latencies(openSagas.ms) },
      peakRssMiB: Object.fromEntries(usage.map((u) => [u.name, u.peakRssMiB])),
      cpuMsPerSaga: ((usage.reduce((sum, u) => sum + u.cpuSeconds, 0) - cpuBefore) * 1000) / completed,
      writtenKiBPerSaga: (usage.reduce((sum, u) => sum + u.writtenBytes, 0) - writtenBefore) / 1024 / completed,
      violations: await invariantViolations(data, shop.stock),
      ...(http && { http }),
    } satisfies Result;
  });
  if (profileDir)
    return {
      ...result,
      profile: Object.fromEntries(
        names.map((name) => {
          const { file, profile } = mainThreadProfile(join(profileDir, name));
          return [name, { file, shares: summarise(profile).slice(0, 8) }];
        }),
      ),
    };
  return result;
}

const latencies = (ms: number[]) => ({
  sagaP50: percentile(ms, 0.5),
  sagaP95: percentile(ms, 0.95),
  sagaP99: percentile(ms, 0.99),
});

await runCli(program);
