import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeOrders } from './diagnose';
import { expect } from 'vitest';
import { waitFor } from '../../lib/wait';
import type { AppProcess } from './app-process';
import { NoAnswer, type Http } from './http';
import type { Rng } from './seed';

export const CARDS = {
  settles: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;
export const settles = (card: string) => card === CARDS.settles;

export interface Customer {
  id: string;
  email: string;
  token: string;
}
export interface CatalogueItem {
  id: string;
  priceCents: number;
  /** Units on the shelf when created. */
  stock: number;
}
export interface Shop {
  adminToken: string;
  customers: Customer[];
  catalogue: CatalogueItem[];
}

/** What the client saw of an order (GET /orders/:id). */
export interface OrderView {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  reason?: string;
  detail?: string;
  totalCents?: number;
  items: { productId: string; quantity: number }[];
}

const ADMIN = {
  email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
  password: process.env.ADMIN_PASSWORD ?? 'admin',
};

function expectStatus(reply: { status: number; body: unknown }, status: number, what: string) {
  if (reply.status !== status)
    throw new Error(`${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** Logs in the admin, registers customers and creates the catalogue (before any fault). */
export async function setUpShop(
  http: Http,
  rng: Rng,
  { customers = 6, products = 4, stock = [20, 35] as [number, number] } = {},
): Promise<Shop> {
  const login = async (email: string, password: string) => {
    const reply = await http.retrying('POST', '/auth/login', { body: { email, password } });
    expectStatus(reply, 200, `login of ${email}`);
    return reply.body.token as string;
  };
  const adminToken = await login(ADMIN.email, ADMIN.password);
  const people = await Promise.all(
    Array.from({ length: customers }, async (_, i) => {
      const email = `fault-${i}-${randomUUID()}@example.com`;
      const password = 'a-long-enough-password';
      const reply = await http.retrying('POST', '/auth/register', { body: { name: `Customer ${i}`, email, password } });
      expectStatus(reply, 201, `register ${email}`);
      return { id: reply.body.id as string, email, token: await login(email, password) };
    }),
  );
  const specs = Array.from({ length: products }, (_, i) => ({
    name: `Fault product ${i}`,
    priceCents: rng.int(100, 5000),
    stock: rng.int(stock[0], stock[1]),
  }));
  const catalogue: CatalogueItem[] = [];
  for (const spec of specs) {
    const reply = await http.retrying('POST', '/products', { token: adminToken, body: spec });
    expectStatus(reply, 201, `create ${spec.name}`);
    catalogue.push({ id: reply.body.id, priceCents: spec.priceCents, stock: spec.stock });
  }
  return { adminToken, customers: people, catalogue };
}

export interface OrderSpec {
  /** Position in the plan, for messages. */
  index: number;
  idempotencyKey: string;
  customer: number;
  items: { productId: string; quantity: number }[];
  card: string;
  /** Ask to cancel this many ms after the order is accepted; no cancel when undefined. */
  cancelAfterMs?: number;
}

export interface OrderMix {
  /** Chances of a declined card and of an insufficient-funds card; the rest settle. */
  declined?: number;
  insufficientFunds?: number;
  /** Chance that the customer asks to cancel right after placing. */
  cancel?: number;
  maxLines?: number;
  maxQuantity?: number;
}

/** A seeded plan of orders: 1..maxLines distinct products each, mixed cards, a few cancels. */
export function planOrders(rng: Rng, shop: Shop, count: number, mix: OrderMix = {}): OrderSpec[] {
  const { declined = 0.2, insufficientFunds = 0.1, cancel = 0, maxLines = 2, maxQuantity = 3 } = mix;
  return Array.from({ length: count }, (_, index) => {
    const lines = rng.int(1, Math.min(maxLines, shop.catalogue.length));
    const items = rng
      .sample(shop.catalogue, lines)
      .map((product) => ({ productId: product.id, quantity: rng.int(1, maxQuantity) }));
    const roll = rng.next();
    const card =
      roll < declined ? CARDS.declined : roll < declined + insufficientFunds ? CARDS.insufficientFunds : CARDS.settles;
    const cancelAfterMs = rng.chance(cancel) ? rng.int(0, 40) : undefined;
    return {
      index,
      // Not drawn from the seed: keys must never repeat across runs of the same seed on one RabbitMQ.
      idempotencyKey: `fault-${index}-${randomUUID()}`,
      customer: rng.int(0, shop.customers.length - 1),
      items,
      card,
      cancelAfterMs,
    };
  });
}

export interface Placed extends OrderSpec {
  id: string;
  /** POST /orders attempts it took (more than one: a retry across a fault). */
  attempts: number;
  /** Whether a cancel request may have reached the server (answered 202, or got no answer). */
  cancelMaybeSent: boolean;
}

/**
 * Places planned orders over HTTP, `concurrency` at a time and `gapMs()` apart, retrying a
 * POST that got no answer (or a 5xx) with the same Idempotency-Key until the server answers,
 * so every order's id is known even when the process died under the request.
 */
export class Load {
  placed = 0;
  /** POSTs sent and not yet answered. */
  posting = 0;
  posts = 0;
  noAnswers = 0;
  serverErrors = 0;
  cancels = 0;
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly stopping = new AbortController();
  private done = false;

  constructor(
    private readonly http: Http,
    private readonly shop: Shop,
  ) {}

  /** Resolves once `count` orders have an id (or the load ended). */
  reached(count: number): Promise<void> {
    if (this.placed >= count || this.done) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Makes a running load give up (test clean-up). */
  abort(): void {
    this.stopping.abort();
  }

  async run(
    specs: readonly OrderSpec[],
    {
      concurrency = 8,
      gapMs = () => 0,
      timeoutMs = 120_000,
    }: { concurrency?: number; gapMs?: () => number; timeoutMs?: number } = {},
  ): Promise<Placed[]> {
    const deadline = Date.now() + timeoutMs;
    const results: Placed[] = [];
    let next = 0;
    let slots = concurrency;
    const freed: (() => void)[] = [];
    const running: Promise<void>[] = [];
    try {
      for (const spec of specs) {
        const gap = gapMs();
        if (gap > 0) await sleep(gap);
        while (slots === 0) await new Promise<void>((resolve) => freed.push(resolve));
        this.throwIfAborted();
        slots--;
        const index = next++;
        running.push(
          this.placeOne(spec, deadline)
            .then((placed) => {
              results[index] = placed;
            })
            .finally(() => {
              slots++;
              freed.shift()?.();
            }),
        );
      }
      await Promise.all(running);
    } finally {
      this.done = true;
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
    }
    return results;
  }

  private throwIfAborted() {
    if (this.stopping.signal.aborted) throw new Error('load aborted');
  }

  private async placeOne(spec: OrderSpec, deadline: number): Promise<Placed> {
    const customer = this.shop.customers[spec.customer]!;
    let attempts = 0;
    this.posting++;
    const reply = await this.http
      .retrying('POST', '/orders', {
        token: customer.token,
        body: { items: spec.items, payment: { cardNumber: spec.card } },
        headers: { 'idempotency-key': spec.idempotencyKey },
        deadline,
        onRetry: (why) => {
          this.throwIfAborted();
          attempts++;
          if (why.includes('no answer')) this.noAnswers++;
          else this.serverErrors++;
        },
      })
      .finally(() => this.posting--);
    attempts++;
    this.posts += attempts;
    expectStatus(reply, 202, `POST /orders #${spec.index} (attempt ${attempts})`);
    const placed: Placed = { ...spec, id: reply.body.id, attempts, cancelMaybeSent: false };
    this.placed++;
    for (const waiter of this.waiters.filter((w) => this.placed >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (spec.cancelAfterMs !== undefined) await this.cancel(placed, customer, deadline);
    return placed;
  }

  /** A cancel that got no answer may have taken effect, so it counts as maybe sent; 409 = already ended. */
  private async cancel(placed: Placed, customer: Customer, deadline: number) {
    await sleep(placed.cancelAfterMs!);
    this.cancels++;
    const reply = await this.http.retrying('POST', `/orders/${placed.id}/cancel`, {
      token: customer.token,
      deadline,
      onRetry: () => {
        this.throwIfAborted();
        placed.cancelMaybeSent = true;
      },
    });
    if (reply.status === 202) placed.cancelMaybeSent = true;
    else expectStatus(reply, 409, `cancel of order #${placed.index}`);
  }
}

const terminal = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';

/**
 * Orders not yet terminal at this instant: accepted and still PENDING in the orders database,
 * or still being placed. A kill is mid-flight only when this is above zero.
 */
export function unfinished(dataDir: string, load: Load): number {
  const db = new Database(join(dataDir, 'orders.db'), { readonly: true, fileMustExist: true });
  try {
    const { n } = db.prepare("SELECT count(*) AS n FROM orders WHERE status = 'PENDING'").get() as { n: number };
    return n + load.posting;
  } finally {
    db.close();
  }
}

/**
 * SIGKILLs `app` while an order is under way (sagas settle in milliseconds, so it waits for
 * one, and asserts it), keeps it down `downMs`, starts it again, and says how it went.
 */
export async function killMidFlight(app: AppProcess, dataDir: string, load: Load, downMs: number): Promise<string> {
  await waitFor(() => unfinished(dataDir, load) > 0, { intervalMs: 1, what: 'an order in flight' });
  const at = load.placed;
  const inFlight = unfinished(dataDir, load);
  expect(inFlight, `the kill of ${app.name} after ${at} orders landed while orders were unfinished`).toBeGreaterThan(0);
  await app.kill();
  await sleep(downMs);
  await app.start();
  return `${app.name} after ${at} orders with ${inFlight} unfinished (down ${downMs} ms + start ${app.startupMs.at(-1)} ms)`;
}

/**
 * Polls every placed order over HTTP (as its buyer) until all are terminal. On timeout the
 * error names the orders still pending and what their saga, trace and outboxes say.
 */
export async function waitAllTerminal(
  http: Http,
  shop: Shop,
  placed: readonly Placed[],
  { timeoutMs = 45_000, dataDir }: { timeoutMs?: number; dataDir: string },
): Promise<Map<string, OrderView>> {
  const views = new Map<string, OrderView>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = placed.filter((order) => !terminal(views.get(order.id)?.status ?? 'PENDING'));
    if (pending.length === 0) return views;
    if (Date.now() > deadline) {
      throw new Error(
        `${pending.length} of ${placed.length} orders still not terminal after ${timeoutMs} ms ` +
          `(HTTP view: ${pending
            .map((o) => `${o.id}=${views.get(o.id)?.status ?? 'unseen'}`)
            .slice(0, 5)
            .join(', ')}):\n` +
          describeOrders(
            dataDir,
            pending.map((order) => order.id),
          ),
      );
    }
    for (let i = 0; i < pending.length; i += 10) {
      await Promise.all(
        pending.slice(i, i + 10).map(async (order) => {
          try {
            const reply = await http.call<OrderView>('GET', `/orders/${order.id}`, {
              token: shop.customers[order.customer]!.token,
              timeoutMs: 5_000,
            });
            if (reply.status === 200) views.set(order.id, reply.body);
            else if (reply.status < 500)
              throw new Error(`GET /orders/${order.id}: ${reply.status} ${JSON.stringify(reply.body)}`);
          } catch (error) {
            if (!(error instanceof NoAnswer)) throw error;
          }
        }),
      );
    }
    await sleep(200);
  }
}

/** Counts by status and reason, for the printed report. */
export function outcomeCounts(views: Iterable<OrderView>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const view of views) {
    const key =
      view.status === 'CANCELLED' ? `CANCELLED ${view.reason}${view.detail ? `(${view.detail})` : ''}` : view.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
