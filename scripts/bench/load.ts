import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

/** Sends the REST API's requests to the process that serves each path. */
export type Route = (path: string) => string;

/**
 * node:http with keep-alive connections rather than fetch: the load generator runs on the same
 * cores as the shop, and fetch cost it about twice the CPU per request.
 */
export class Client {
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly route: Route) {}

  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any; retryAfter?: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const sent = request(
        `${this.route(path)}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const retryAfter = response.headers['retry-after'];
            resolve({ status: response.statusCode!, body: text ? JSON.parse(text) : undefined, retryAfter });
          });
        },
      );
      sent.on('error', reject);
      sent.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  async expect(status: number, method: string, path: string, body?: unknown, token?: string): Promise<any> {
    const reply = await this.call(method, path, body, token);
    if (reply.status !== status) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }
}

export interface Shop {
  token: string;
  productId: string;
  stock: number;
}

/** A customer and one product with stock for every order the run could place. */
export async function setUpShop(client: Client, stock: number, adminPassword: string): Promise<Shop> {
  const admin = (
    await client.expect(200, 'POST', '/auth/login', { email: 'admin@example.com', password: adminPassword })
  ).token;
  const email = `bench-${randomUUID()}@example.com`;
  await client.expect(201, 'POST', '/auth/register', { name: 'Bench', email, password: 'benchmark-password' });
  const token = (await client.expect(200, 'POST', '/auth/login', { email, password: 'benchmark-password' })).token;
  const product = await client.expect(201, 'POST', '/products', { name: 'Bench', priceCents: 100, stock }, admin);
  return { token, productId: product.id, stock };
}

export interface LoadFigures {
  /** Orders accepted (202) and refused by admission control (503). */
  accepted: number;
  shed: number;
  /** Milliseconds each accepted POST took. */
  postMs: number[];
  /** Sagas ended during the load, per second of it. */
  sagasPerSecond: number;
  seconds: number;
}

/** One unit of the shop's product, paid with a card that settles; `key` makes a retry safe. */
export const placeOrder = (client: Client, shop: Shop, key?: string) =>
  client.call(
    'POST',
    '/orders',
    { items: [{ productId: shop.productId, quantity: 1 }], payment: { cardNumber: '4242424242424242' } },
    shop.token,
    key ? { 'idempotency-key': key } : {},
  );

/**
 * A closed loop: `concurrency` customers, each placing an order and waiting for it to end
 * before the next. One poll of the pending list every 20 ms serves them all (at most 100 are
 * pending at once), so the poller costs the server one request, not one per order.
 */
export async function closedLoop(
  client: Client,
  shop: Shop,
  { orders, concurrency, progress }: { orders: number; concurrency: number; progress: (done: number) => void },
): Promise<LoadFigures> {
  const waiting = new Map<string, () => void>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      if (waiting.size > 0) {
        const pending = await client.expect(200, 'GET', '/orders?status=PENDING&limit=100', undefined, shop.token);
        const still = new Set(pending.items.map((order: { id: string }) => order.id));
        for (const [id, resolve] of waiting) if (!still.has(id)) resolve();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const postMs: number[] = [];
  let shed = 0;
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < orders) {
        next++;
        const sent = performance.now();
        const reply = await placeOrder(client, shop);
        if (reply.status === 503) {
          shed++;
          next--;
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        if (reply.status !== 202) throw new Error(`POST /orders: ${reply.status} ${JSON.stringify(reply.body)}`);
        postMs.push(performance.now() - sent);
        await new Promise<void>((resolve) =>
          waiting.set(reply.body.id, () => (waiting.delete(reply.body.id), resolve())),
        );
        progress(++done);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  polling = false;
  await poller;
  return { accepted: postMs.length, shed, postMs, sagasPerSecond: postMs.length / seconds, seconds };
}

/**
 * An open loop: orders arrive at `rate` a second for `seconds`, whatever the server's pace, as
 * customers do; queueing delay shows in the saga latency instead of being hidden by the loop.
 */
export async function openLoop(
  client: Client,
  shop: Shop,
  { rate, seconds, progress }: { rate: number; seconds: number; progress: (done: number) => void },
): Promise<Omit<LoadFigures, 'sagasPerSecond'>> {
  const postMs: number[] = [];
  let shed = 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      placeOrder(client, shop).then((reply) => {
        if (reply.status === 503) shed++;
        else if (reply.status === 202) postMs.push(performance.now() - due);
        else throw new Error(`POST /orders: ${reply.status} ${JSON.stringify(reply.body)}`);
        progress(postMs.length + shed);
      }),
    );
  }
  await Promise.all(sends);
  return { accepted: postMs.length, shed, postMs, seconds: (performance.now() - started) / 1000 };
}
