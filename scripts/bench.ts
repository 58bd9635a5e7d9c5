import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { ServiceName } from '../contracts';
import { runCli } from '../lib/cli';
import { rabbitMessagesPerSecond, sqliteCommitsPerSecond } from './bench/ceiling';
import { perSaga } from './bench/counts';
import { Client, closedLoop, openLoop, setUpShop } from './bench/load';
import { ProductProcess } from './bench/product';
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
 * - After each run, the invariants over the databases.
 * - With `--profile <dir>`, a CPU profile of every product process (`<dir>/<mode>/<process>.cpuprofile`,
 *   for Chrome's DevTools) and a summary of where its busy time went.
 */

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};
const modes = ['embedded', 'rabbitmq', 'rabbitmq-per-service'] as const;
type Mode = (typeof modes)[number];

const program = new Command('bench')
  .description('Sagas per second on each transport, against the ceiling this machine sets')
  .option('--orders <n>', 'orders of the closed loop', positive, 3000)
  .option('--concurrency <n>', 'customers in the closed loop, each waiting for its order (at most 100)', positive, 64)
  .option('--rate <n>', 'arrivals a second of the open loop (default: half the closed loop’s rate)', positive)
  .option('--seconds <n>', 'how long the open loop runs', positive, 10)
  .option('--modes <list>', `which of ${modes.join(', ')}`, (value) => value.split(','), [...modes])
  .option('--rabbitmq <url>', 'the RabbitMQ to use', 'amqp://guest:guest@127.0.0.1:5672')
  .option('--profile <dir>', 'write a CPU profile of every product process there, and summarise it')
  .action(run);

interface Result {
  mode: Mode;
  closed: { sagasPerSecond: number; postP50: number; sagaP50: number; sagaP95: number; sagaP99: number };
  open: { rate: number; sagasPerSecond: number; shed: number; sagaP50: number; sagaP95: number; sagaP99: number };
  peakRssMiB: Record<string, number>;
  cpuMsPerSaga: number;
  violations: string[];
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
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
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
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-'));
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const env = {
    DATA_DIR: dataDir,
    JWT_SECRET: randomUUID(),
    CARD_TOKEN_KEY: randomUUID(),
    ...(mode === 'embedded' ? {} : { BROKER_URL: options.rabbitmq, BROKER_NAMESPACE: namespace }),
  };
  status(`${mode}: starting`);
  const processes =
    mode === 'rabbitmq-per-service'
      ? await Promise.all(
          (['users', 'products', 'orders', 'payments', 'orchestrator'] as ServiceName[]).map((service) =>
            ProductProcess.start(service, env, { service, profileDir }),
          ),
        )
      : [await ProductProcess.start('all-in-one', env, { profileDir })];
  const byName = new Map(processes.map((p) => [p.name, p]));
  // The load uses sign-up and sign-in, the catalogue and orders; each goes to the process that serves it.
  const route = (path: string) =>
    byName.get(path.startsWith('/auth') ? 'users' : path.startsWith('/products') ? 'products' : 'orders')?.url ??
    processes[0]!.url;
  let result: Result;
  try {
    const client = new Client(route);
    // As much stock as a product may have: no run sells out.
    const shop = await setUpShop(client, 1_000_000);
    await waitSettled(dataDir);

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
    const completed = closed.accepted + open.accepted;
    result = {
      mode,
      closed: {
        sagasPerSecond: closed.sagasPerSecond,
        postP50: percentile(closed.postMs, 0.5),
        ...latencies(closedSagas.ms),
      },
      open: { rate, sagasPerSecond: openSagas.sagasPerSecond, shed: open.shed, ...latencies(openSagas.ms) },
      peakRssMiB: Object.fromEntries(usage.map((u) => [u.name, u.peakRssMiB])),
      cpuMsPerSaga: (usage.reduce((sum, u) => sum + u.cpuSeconds, 0) * 1000) / completed,
      violations: invariantViolations(dataDir, shop.stock),
    };
  } finally {
    // A process writes its profile as it exits.
    await Promise.all(processes.map((p) => p.stop()));
    if (mode !== 'embedded') {
      const { deleteTopology } = await import('../broker/rabbitmq/rabbitmq');
      await deleteTopology(options.rabbitmq, namespace);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  if (profileDir)
    result.profile = Object.fromEntries(
      processes.map((p) => {
        const { file, profile } = mainThreadProfile(join(profileDir, p.name));
        return [p.name, { file, shares: summarise(profile).slice(0, 8) }];
      }),
    );
  return result;
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
