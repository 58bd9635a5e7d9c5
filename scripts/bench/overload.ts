import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { withDeployment, type Deployment, type Mode } from './deployment';
import { placeOrder } from './load';
import { clearStatus, printTable, status } from './report';
import { invariantViolations, ordersByStatus, percentile, sagaLatencies, waitSettled } from './results';

export interface OverloadFigures {
  customers: number;
  accepted: number;
  /** POSTs answered 503: each customer then waits the Retry-After it was given. */
  shed: number;
  /** The slowest and the typical answer of /health while the load ran, in ms. */
  healthMaxMs: number;
  healthP50Ms: number;
  /** Whether /health said orders was shedding at some point. */
  sawShedding: boolean;
}

/**
 * More customers than the shop can serve: `customers` of them place orders back to back for
 * `seconds`, without waiting for their orders to end; a 503 makes a customer wait the
 * Retry-After it was given, as a polite client does. Meanwhile /health is asked four times a
 * second, on a fresh connection from a process of its own, as a load balancer would: on the
 * health port of the process (HEALTH_PORT), where a probe under load belongs.
 */
export async function overload(
  { client, shop, processes }: Deployment,
  { customers, seconds, progress }: { customers: number; seconds: number; progress: (text: string) => void },
): Promise<OverloadFigures> {
  const until = performance.now() + seconds * 1000;
  let accepted = 0;
  let shed = 0;
  const orders = processes.find((p) => p.name === 'orders') ?? processes[0]!;
  const health = await probeHealth(orders.healthUrl ?? `${orders.url}/health`, seconds);
  await Promise.all(
    Array.from({ length: customers }, async () => {
      while (performance.now() < until) {
        const reply = await placeOrder(client, shop);
        if (reply.status === 202) accepted++;
        else if (reply.status === 503) {
          shed++;
          await pause(Number(reply.retryAfter ?? 1) * 1000);
        } else throw new Error(`POST /orders: ${reply.status} ${JSON.stringify(reply.body)}`);
        progress(`${accepted} accepted, ${shed} shed`);
      }
    }),
  );
  const { ms: healthMs, sawShedding } = await health.done;
  const sorted = [...healthMs].sort((a, b) => a - b);
  return {
    customers,
    accepted,
    shed,
    healthMaxMs: sorted.at(-1) ?? NaN,
    healthP50Ms: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    sawShedding,
  };
}

/**
 * Starts scripts/bench/health-probe.ts asking `url` for `seconds`; resolves once it asks, to
 * what it will have seen.
 */
async function probeHealth(url: string, seconds: number) {
  const probe = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'health-probe.ts'), url, String(seconds)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  const exited = once(probe, 'exit') as Promise<[number | null]>;
  await new Promise<void>((resolve, reject) => {
    probe.stdout.on('data', (chunk) => {
      output += String(chunk);
      if (output.startsWith('ready\n')) resolve();
    });
    void exited.then(() => reject(new Error('the /health probe exited before it started')));
  });
  const done = exited.then(([code]): { ms: number[]; sawShedding: boolean } => {
    if (code !== 0) throw new Error(`the /health probe exited with ${code}`);
    return JSON.parse(output.trim().split('\n').at(-1)!);
  });
  return { done };
}

/**
 * `--overload`: latency stays bounded past capacity. Per mode, `--customers` (512) place
 * orders back to back for `--seconds`; admission control must shed what it cannot settle in
 * time: the orders accepted end within 2 s at p99, none by STEP_TIMEOUT, and /health answers
 * within a second throughout, saying it sheds.
 */
export async function runOverload(options: { customers: number; seconds: number; modes: Mode[]; rabbitmq: string }) {
  const results = [];
  for (const mode of options.modes) {
    status(`${mode}: starting`);
    results.push(
      await withDeployment(mode, { rabbitmq: options.rabbitmq, healthPorts: true }, async (deployment) => {
        const since = new Date().toISOString();
        const figures = await overload(deployment, { ...options, progress: (text) => status(`${mode}: ${text}`) });
        await waitSettled(deployment.data, 300_000);
        const { ms } = await sagaLatencies(deployment.data, since);
        const timedOut = [...(await ordersByStatus(deployment.data)).values()].filter(
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
          violations: await invariantViolations(deployment.data, deployment.shop.stock),
        };
      }),
    );
  }
  clearStatus();
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
