import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runCli } from '../lib/cli';
import { rabbitMessagesPerSecond, sqliteCommitsPerSecond } from './bench/ceiling';
import { perSaga } from './bench/counts';
import { modes, withDeployment, type Mode } from './bench/deployment';
import { closedLoop, openLoop } from './bench/load';
import { soak, soakRetention, type Slice } from './bench/soak';
import { chaos, outcomesOf, type ChaosFigures } from './bench/chaos';
import { overload } from './bench/overload';
import { requestsPerSecond } from './bench/http-rate';
import { ProductProcess } from './bench/product';
import { mainThreadProfile, summarise, type Share } from './bench/profile';
import { invariantViolations, ordersByStatus, percentile, sagaLatencies, waitSettled } from './bench/results';

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
 * - After each run, the invariants over the databases.
 * - With `--profile <dir>`, a CPU profile of every product process (`<dir>/<mode>/<process>.cpuprofile`,
 *   for Chrome's DevTools) and a summary of where its busy time went.
 */

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

const SOAK_ORDERS = 200_000;

const program = new Command('bench')
  .description('Sagas per second on each transport, against the ceiling this machine sets')
  .option('--orders <n>', 'orders of the closed loop', positive, 3000)
  .option('--concurrency <n>', 'customers in the closed loop, each waiting for its order (at most 100)', positive, 64)
  .option('--rate <n>', 'arrivals a second of the open loop (default: half the closed loop’s rate)', positive)
  .option('--seconds <n>', 'how long the open loop runs', positive, 10)
  .option('--modes <list>', `which of ${modes.join(', ')}`, (value) => value.split(','), [...modes])
  .option('--rabbitmq <url>', 'the RabbitMQ to use', 'amqp://guest:guest@127.0.0.1:5672')
  .option('--profile <dir>', 'write a CPU profile of every product process there, and summarise it')
  .option('--soak', `instead: ${SOAK_ORDERS} orders (or --orders) in one closed loop, measured in ten slices`)
  .option('--chaos', 'instead: full load while processes are killed with SIGKILL and restarted, then the invariants')
  .option('--kills <n>', 'with --chaos, how many kills over the run', positive, 5)
  .option('--overload', 'instead: --customers placing orders back to back for --seconds, past what the shop can take')
  .option('--customers <n>', 'with --overload, how many customers at once', positive, 512)
  .action((options) =>
    options.soak
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

interface Result {
  mode: Mode;
  closed: { sagasPerSecond: number; postP50: number; sagaP50: number; sagaP95: number; sagaP99: number };
  open: { rate: number; sagasPerSecond: number; shed: number; sagaP50: number; sagaP95: number; sagaP99: number };
  peakRssMiB: Record<string, number>;
  cpuMsPerSaga: number;
  violations: string[];
  /** GET /products and GET /health, requests a second (the embedded all-in-one only). */
  http?: { products: number; health: number };
  /** Per process, its main thread's profile and the places that took the most busy time (with `--profile`). */
  profile?: Record<string, { file: string; shares: Share[] }>;
}

async function run(options: {
  orders: number;
  concurrency: number;
  rate?: number;
  seconds: number;
  modes: Mode[];
  rabbitmq: string;
  profile?: string;
}) {
  if (options.concurrency > 100) throw new Error('--concurrency must be at most 100 (one page of pending orders)');
  for (const mode of options.modes) if (!modes.includes(mode)) throw new Error(`unknown mode ${mode}`);
  const needsRabbit = options.modes.some((mode) => mode !== 'embedded');

  status('measuring the ceiling: SQLite commits');
  const sqliteCommits = await sqliteCommitsPerSecond();
  status('measuring the ceiling: RabbitMQ messages');
  const rabbitMessages = needsRabbit ? await rabbitMessagesPerSecond(options.rabbitmq) : undefined;
  status('counting messages and commits per saga');
  const counts = await perSaga(options.concurrency);
  // The embedded broker is bound by SQLite alone; over RabbitMQ, by whichever limit is lower.
  const sqliteCeiling = sqliteCommits / counts.commits;
  const ceilingOf = (mode: Mode) =>
    mode === 'embedded' || rabbitMessages === undefined
      ? sqliteCeiling
      : Math.min(sqliteCeiling, rabbitMessages / counts.messages);

  const bare = options.modes.includes('embedded') ? await bareHonoRates() : undefined;
  const results: Result[] = [];
  for (const mode of options.modes) results.push(await measure(mode, options));
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

  const fixed = (n: number, digits = 0) => n.toFixed(digits);
  console.log(
    `ceiling: SQLite ${fixed(sqliteCommits)} commits/s ÷ ${fixed(counts.commits, 1)} commits per saga` +
      (rabbitMessages === undefined
        ? ''
        : `; RabbitMQ ${fixed(rabbitMessages)} msgs/s ÷ ${fixed(counts.messages, 1)} messages per saga`) +
      `: ${fixed(sqliteCeiling)} sagas/s embedded` +
      (rabbitMessages === undefined ? '' : `, ${fixed(ceilingOf('rabbitmq'))} sagas/s over RabbitMQ`),
  );
  console.log(
    `closed loop: ${options.orders} orders, ${options.concurrency} customers; open loop: ${options.seconds} s; latencies in ms`,
  );
  const table = [
    [
      'mode',
      'sagas/s',
      '÷ceiling',
      'POST p50',
      'saga p50',
      'p95',
      'p99',
      'open rate',
      'sagas/s',
      'shed',
      'saga p50',
      'p95',
      'p99',
      'CPU ms/saga',
      'peak RSS MiB',
      'invariants',
    ],
    ...results.map((r) => [
      r.mode,
      fixed(r.closed.sagasPerSecond),
      `${fixed(r.closed.sagasPerSecond / ceilingOf(r.mode), 2)}`,
      fixed(r.closed.postP50),
      fixed(r.closed.sagaP50),
      fixed(r.closed.sagaP95),
      fixed(r.closed.sagaP99),
      fixed(r.open.rate),
      fixed(r.open.sagasPerSecond),
      String(r.open.shed),
      fixed(r.open.sagaP50),
      fixed(r.open.sagaP95),
      fixed(r.open.sagaP99),
      fixed(r.cpuMsPerSaga, 2),
      Object.values(r.peakRssMiB)
        .map((rss) => fixed(rss))
        .join('+'),
      r.violations.length === 0 ? 'held' : r.violations.join('; '),
    ]),
  ];
  printTable(table);
  const http = results.find((r) => r.http)?.http;
  if (bare && http)
    console.log(
      `HTTP, 32 connections: bare hono ${fixed(bare.products)} req/s (GET /products), ${fixed(bare.health)} (GET /health); ` +
        `the shop ${fixed(http.products)} (${fixed((100 * http.products) / bare.products)} %), ` +
        `${fixed(http.health)} (${fixed((100 * http.health) / bare.health)} %)`,
    );
  for (const { mode, profile } of results)
    for (const [name, { file, shares }] of Object.entries(profile ?? {}))
      console.log(
        `profile ${mode} ${name}: ` +
          shares.map(({ where, share }) => `${where} ${fixed(share * 100)} %`).join(', ') +
          ` (${file})`,
      );
  console.log(
    JSON.stringify({
      ceiling: { sqliteCommits, rabbitMessages, ...counts },
      bareHono: bare,
      results: results.map((r) => ({ ...r, ceiling: ceilingOf(r.mode) })),
    }),
  );
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}

async function measure(
  mode: Mode,
  options: { orders: number; concurrency: number; rate?: number; seconds: number; rabbitmq: string; profile?: string },
): Promise<Result> {
  const profileDir = options.profile && join(options.profile, mode);
  status(`${mode}: starting`);
  let names: string[] = [];
  const result = await withDeployment(mode, { rabbitmq: options.rabbitmq, profileDir }, async (deployment) => {
    const { client, shop, dataDir, processes } = deployment;
    names = processes.map((p) => p.name);
    const cpuBefore = processes.reduce((sum, p) => sum + p.usage().cpuSeconds, 0);
    const closedSince = new Date().toISOString();
    const closed = await closedLoop(client, shop, {
      orders: options.orders,
      concurrency: options.concurrency,
      progress: (done) => status(`${mode}: closed loop ${done}/${options.orders}`),
    });
    await waitSettled(dataDir);
    const closedSagas = sagaLatencies(dataDir, closedSince);

    const rate = options.rate ?? Math.max(1, Math.round(closed.sagasPerSecond / 2));
    const openSince = new Date().toISOString();
    const open = await openLoop(client, shop, {
      rate,
      seconds: options.seconds,
      progress: (done) => status(`${mode}: open loop at ${rate}/s, ${done} placed`),
    });
    await waitSettled(dataDir);
    const openSagas = sagaLatencies(dataDir, openSince);

    const usage = processes.map((p) => ({ name: p.name, ...p.usage() }));
    // After the sagas' CPU and peak memory are read, so that neither counts this.
    let http: Result['http'];
    if (mode === 'embedded') {
      status(`${mode}: GET /products and /health`);
      http = {
        products: await requestsPerSecond(`${processes[0]!.url}/products`),
        health: await requestsPerSecond(`${processes[0]!.url}/health`),
      };
    }
    const completed = closed.accepted + open.accepted;
    return {
      mode,
      closed: {
        sagasPerSecond: closed.sagasPerSecond,
        postP50: percentile(closed.postMs, 0.5),
        ...latencies(closedSagas.ms),
      },
      open: { rate, sagasPerSecond: openSagas.sagasPerSecond, shed: open.shed, ...latencies(openSagas.ms) },
      peakRssMiB: Object.fromEntries(usage.map((u) => [u.name, u.peakRssMiB])),
      cpuMsPerSaga: ((usage.reduce((sum, u) => sum + u.cpuSeconds, 0) - cpuBefore) * 1000) / completed,
      violations: invariantViolations(dataDir, shop.stock),
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

/** The yardstick for the HTTP path: a bare hono app's rate on the same two routes, measured the same way. */
async function bareHonoRates(): Promise<{ products: number; health: number }> {
  status('measuring the ceiling: a bare hono app');
  const bare = await ProductProcess.start('bare-hono', {}, { entry: 'scripts/bench/bare-hono.ts' });
  try {
    return {
      products: await requestsPerSecond(`${bare.url}/products`),
      health: await requestsPerSecond(`${bare.url}/health`),
    };
  } finally {
    await bare.stop();
  }
}

/**
 * `--soak`: does the cost grow with the work? One long closed loop per mode, with retention
 * shortened to a minute; each tenth of it is measured for throughput, memory, database growth
 * per saga and the rows kept for a while. Flat means the last slice runs at 90 % or more of the first.
 */
async function runSoak(options: { orders: number; concurrency: number; modes: Mode[]; rabbitmq: string }) {
  const results: { mode: Mode; slices: Slice[]; flat: boolean; violations: string[] }[] = [];
  for (const mode of options.modes) {
    status(`${mode}: starting`);
    results.push(
      await withDeployment(mode, { rabbitmq: options.rabbitmq, env: soakRetention }, async (deployment) => {
        const slices = await soak(deployment, { ...options, progress: (text) => status(`${mode}: ${text}`) });
        await waitSettled(deployment.dataDir);
        const flat = slices.at(-1)!.sagasPerSecond >= 0.9 * slices[0]!.sagasPerSecond;
        return { mode, slices, flat, violations: invariantViolations(deployment.dataDir, deployment.shop.stock) };
      }),
    );
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(`soak: ${options.orders} orders, ${options.concurrency} customers, retention 1 minute`);
  for (const { mode, slices, flat, violations } of results) {
    printTable([
      [mode, 'orders', 'sagas/s', 'RSS MiB', 'DB MiB', 'DB bytes/saga', 'inbox rows', 'trace rows', 'step rows'],
      ...slices.map((slice, i) => [
        `${(i + 1) * 10} %`,
        String(slice.orders),
        slice.sagasPerSecond.toFixed(0),
        slice.rssMiB.toFixed(0),
        slice.dbMiB.toFixed(1),
        slice.dbBytesPerSaga.toFixed(0),
        String(slice.keptRows.inbox),
        String(slice.keptRows.trace),
        String(slice.keptRows.steps),
      ]),
    ]);
    const ratio = slices.at(-1)!.sagasPerSecond / slices[0]!.sagasPerSecond;
    console.log(
      `${mode}: last slice at ${(ratio * 100).toFixed(0)} % of the first: ${flat ? 'flat' : 'NOT flat'}; ` +
        `invariants ${violations.length === 0 ? 'held' : violations.join('; ')}`,
    );
  }
  console.log(JSON.stringify({ soak: results }));
  if (results.some((r) => !r.flat || r.violations.length > 0)) process.exitCode = 1;
}

/**
 * `--chaos`: faults at full speed. Per mode, `--orders` orders placed as fast as the shop takes
 * them while `--kills` times a process is killed with SIGKILL and restarted (the all-in-one, or
 * each service process in turn); then, once everything has settled: nothing lost, nothing
 * doubled, and the invariants.
 */
async function runChaos(options: {
  orders: number;
  concurrency: number;
  kills: number;
  modes: Mode[];
  rabbitmq: string;
}) {
  const results: (Omit<ChaosFigures, 'lost'> & { mode: Mode; lost: number; seconds: number; violations: string[] })[] =
    [];
  for (const mode of options.modes) {
    status(`${mode}: starting`);
    results.push(
      await withDeployment(mode, { rabbitmq: options.rabbitmq }, async (deployment) => {
        const started = performance.now();
        const { ids, ...figures } = await chaos(deployment, {
          ...options,
          progress: (text) => status(`${mode}: ${text}`),
        });
        await waitSettled(deployment.dataDir, 300_000);
        const { lost, ...outcomes } = outcomesOf(deployment.dataDir, ids);
        const violations = invariantViolations(deployment.dataDir, deployment.shop.stock);
        if (lost.length > 0)
          violations.push(`${lost.length} accepted orders lost or unfinished (${lost.slice(0, 3).join(', ')})`);
        if (outcomes.doubled !== 0) violations.push(`${outcomes.doubled} orders beyond those accepted`);
        return {
          mode,
          ...figures,
          ...outcomes,
          lost: lost.length,
          seconds: (performance.now() - started) / 1000,
          violations,
        };
      }),
    );
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(`chaos: ${options.orders} orders, ${options.concurrency} customers, ${options.kills} kills with SIGKILL`);
  printTable([
    ['mode', 'killed', 'accepted', 'retried POSTs', 'seconds', 'outcomes', 'lost', 'doubled', 'invariants'],
    ...results.map((r) => [
      r.mode,
      r.kills.map((kill) => `${kill.process}@${kill.afterOrders}`).join(' '),
      String(r.accepted),
      String(r.retries),
      r.seconds.toFixed(0),
      Object.entries(r.outcomes)
        .map(([outcome, n]) => `${outcome} ${n}`)
        .join(', '),
      String(r.lost),
      String(r.doubled),
      r.violations.length === 0 ? 'held' : r.violations.join('; '),
    ]),
  ]);
  console.log(JSON.stringify({ chaos: results }));
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}

/**
 * `--overload`: latency stays bounded past capacity. Per mode, `--customers` (512) place
 * orders back to back for `--seconds`; admission control must shed what it cannot settle in
 * time: the orders accepted end within 2 s at p99, none by STEP_TIMEOUT, and /health answers
 * within a second throughout, saying it sheds.
 */
async function runOverload(options: { customers: number; seconds: number; modes: Mode[]; rabbitmq: string }) {
  const results = [];
  for (const mode of options.modes) {
    status(`${mode}: starting`);
    results.push(
      await withDeployment(mode, { rabbitmq: options.rabbitmq }, async (deployment) => {
        const since = new Date().toISOString();
        const figures = await overload(deployment, { ...options, progress: (text) => status(`${mode}: ${text}`) });
        await waitSettled(deployment.dataDir, 300_000);
        const { ms } = sagaLatencies(deployment.dataDir, since);
        const timedOut = [...ordersByStatus(deployment.dataDir).values()].filter(
          (order) => order.reason === 'STEP_TIMEOUT',
        ).length;
        const sagaP99 = percentile(ms, 0.99);
        const met = sagaP99 <= 2000 && timedOut === 0 && figures.healthMaxMs <= 1000 && figures.sawShedding;
        return {
          mode,
          ...figures,
          sagaP50: percentile(ms, 0.5),
          sagaP99,
          timedOut,
          met,
          violations: invariantViolations(deployment.dataDir, deployment.shop.stock),
        };
      }),
    );
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(`overload: ${options.customers} customers for ${options.seconds} s; latencies in ms`);
  printTable([
    [
      'mode',
      'accepted',
      'shed',
      'saga p50',
      'p99',
      'STEP_TIMEOUT',
      '/health p50',
      'max',
      'said shedding',
      'target',
      'invariants',
    ],
    ...results.map((r) => [
      r.mode,
      String(r.accepted),
      String(r.shed),
      r.sagaP50.toFixed(0),
      r.sagaP99.toFixed(0),
      String(r.timedOut),
      r.healthP50Ms.toFixed(0),
      r.healthMaxMs.toFixed(0),
      r.sawShedding ? 'yes' : 'no',
      r.met ? 'met' : 'NOT met',
      r.violations.length === 0 ? 'held' : r.violations.join('; '),
    ]),
  ]);
  console.log(JSON.stringify({ overload: results }));
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}

/** Prints rows as right-aligned columns. */
function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
}

const latencies = (ms: number[]) => ({
  sagaP50: percentile(ms, 0.5),
  sagaP95: percentile(ms, 0.95),
  sagaP99: percentile(ms, 0.99),
});

let lastStatus = 0;
/** Progress on stderr: one line rewritten in place on a terminal, a line every 5 s otherwise. */
function status(text: string) {
  const now = Date.now();
  if (process.stderr.isTTY) {
    if (now - lastStatus >= 100) process.stderr.write(`\r\x1b[K${text}`);
  } else if (now - lastStatus >= 5_000) process.stderr.write(`${text}\n`);
  else return;
  lastStatus = now;
}

await runCli(program);
