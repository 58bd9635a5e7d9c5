import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../app/config';
import { createLogger } from '../lib/logger';
import { startSystem, type System } from '../app/system';

/**
 * `npm run bench`: how fast orders settle, end to end through the HTTP app, on each transport.
 * Prints latency percentiles and throughput, and every figure as a ratio to the in-process
 * broker measured in the same run, so machines and runs compare.
 */

const program = new Command('bench')
  .option('--orders <n>', 'orders per measurement', (v) => Number(v), 300)
  .option(
    '--concurrency <n>',
    'orders in flight at once, at most 100 (one page of pending orders)',
    (v) => Number(v),
    16,
  )
  .option('--rabbitmq <url>', 'RabbitMQ to measure beside the in-process broker', 'amqp://guest:guest@127.0.0.1:5672')
  .option('--no-rabbitmq', 'measure the in-process broker only')
  .parse();
const { orders, concurrency, rabbitmq } = program.opts<{
  orders: number;
  concurrency: number;
  rabbitmq: string | false;
}>();
if (!(concurrency >= 1 && concurrency <= 100)) program.error('--concurrency must be from 1 to 100');

interface Figures {
  transport: string;
  p50: number;
  p95: number;
  ordersPerSecond: number;
}

async function measure(transport: string, brokerUrl: string): Promise<Figures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-bench-'));
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    BROKER_URL: brokerUrl,
    BROKER_NAMESPACE: namespace,
  });
  // Logging every request would measure the logger.
  const system = await startSystem(config, { logger: createLogger(undefined, 'silent') });
  try {
    const call = request(system);
    const admin = (
      await call('POST', '/auth/login', { body: { email: config.admin.email, password: config.admin.password } })
    ).token;
    const email = `${randomUUID()}@example.com`;
    await call('POST', '/auth/register', { body: { name: 'Bench', email, password: 'benchmark-password' } });
    const token = (await call('POST', '/auth/login', { body: { email, password: 'benchmark-password' } })).token;
    const product = await call('POST', '/products', {
      token: admin,
      body: { name: 'Bench', priceCents: 100, stock: 1_000_000 },
    });

    const settled = watchSettled(() => call('GET', `/orders?status=PENDING&limit=100`, { token }));
    const latencies: number[] = [];
    const placeOne = async () => {
      const started = performance.now();
      const { id } = await call('POST', '/orders', {
        token,
        body: { items: [{ productId: product.id, quantity: 1 }], payment: { cardNumber: '4242424242424242' } },
      });
      await settled.wait(id);
      latencies.push(performance.now() - started);
    };
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < orders) await placeOne();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    settled.stop();
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return { transport, p50: at(0.5), p95: at(0.95), ordersPerSecond: orders / seconds };
  } finally {
    await system.stop();
    if (brokerUrl) {
      const { deleteTopology } = await import('../broker/rabbitmq/rabbitmq');
      await deleteTopology(brokerUrl, namespace);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Resolves each order once it is no longer PENDING. One poll of the pending list every
 * 10 ms serves every order in flight: a poll per order would cost more CPU than the sagas
 * and measure the poller. Latencies are therefore up to 10 ms late.
 */
function watchSettled(pending: () => Promise<{ items: { id: string }[] }>) {
  const waiting = new Map<string, () => void>();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      if (waiting.size > 0) {
        const still = new Set((await pending()).items.map((order) => order.id));
        for (const [id, resolve] of waiting) if (!still.has(id)) resolve();
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    wait: (id: string) => new Promise<void>((resolve) => waiting.set(id, () => (waiting.delete(id), resolve()))),
    stop: () => void (stopped = true),
  };
}

function request(system: System) {
  // The answers are the REST contract's JSON; the benchmark reads only ids, tokens and status.
  return async (method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<any> => {
    const response = await system.app.request(path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
}

const results = [await measure('in-process', '')];
if (rabbitmq) results.push(await measure('rabbitmq', rabbitmq));

const [baseline] = results;
console.log(`${orders} orders, ${concurrency} in flight; ratios are to the in-process broker of this run`);
console.log('transport     p50 ms   p95 ms   orders/s   p50 ratio   throughput ratio');
for (const r of results) {
  console.log(
    [
      r.transport.padEnd(12),
      r.p50.toFixed(1).padStart(7),
      r.p95.toFixed(1).padStart(8),
      r.ordersPerSecond.toFixed(1).padStart(10),
      `${(r.p50 / baseline!.p50).toFixed(2)}x`.padStart(11),
      `${(r.ordersPerSecond / baseline!.ordersPerSecond).toFixed(2)}x`.padStart(18),
    ].join(' '),
  );
}
