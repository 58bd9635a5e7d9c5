import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Http } from './http';
import type { Rng } from './seed';
import { CARDS, expectStatus, type Customer, type Shop } from './shop';

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
  posts = 0;
  noAnswers = 0;
  serverErrors = 0;
  cancels = 0;
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly stopping = new AbortController();
  private done = false;
  private finishing = false;
  /** Waiting for a free slot: woken when an order is placed, or when the load finishes. */
  private readonly freed: (() => void)[] = [];

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

  /**
   * Places no order past those already under way: the run ends early, with the orders placed so
   * far. For a test whose faults must all land while orders flow, however long they take.
   */
  finish(): void {
    this.finishing = true;
    for (const resolve of this.freed.splice(0)) resolve();
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
    const running: Promise<void>[] = [];
    try {
      for (const spec of specs) {
        const gap = gapMs();
        if (gap > 0) await sleep(gap);
        while (slots === 0 && !this.finishing) await new Promise<void>((resolve) => this.freed.push(resolve));
        if (this.finishing) break;
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
              this.freed.shift()?.();
            }),
        );
      }
      await Promise.all(running);
    } catch (error) {
      // The orders still being placed settle before the load gives up: none rejects unheard.
      await Promise.allSettled(running);
      throw error;
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
    const reply = await this.http.retrying('POST', '/orders', {
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
    });
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
