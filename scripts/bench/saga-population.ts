import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type Database from 'better-sqlite3';
import { v7 } from 'uuid';
import type { CancelReason, PricedLine } from '../../contracts';
import { rowParams } from '../../db/statements';
import { assertNever } from '../../lib/assert-never';
import type { SagaState, StepStatus } from '../../saga/decider/decide';
import { productsOf } from '../../saga/decider/facets';
import { searchColumns } from '../../saga/runtime/search';
import type * as schema from '../../saga/runtime/sqlite/schema';
import { sagaProducts, sagas } from '../../saga/runtime/sqlite/schema';

/**
 * A year of a shop's sagas, written straight into a saga store's tables, a transaction per
 * 50 000: the row a save writes (state and search columns alike, through `searchColumns`), at
 * a spread of customers, products, totals, outcomes and times a shop has. Drawn from a fixed
 * seed, so two runs store the same sagas.
 */

const CUSTOMERS = 100_000;
const PRODUCTS = 5_000;
const DAY_MS = 86_400_000;
/** Sagas still running at the end: a backlog of the newest, and a few stuck long ago. */
const BACKLOG = 500;
const STUCK = 200;
const BATCH = 50_000;

/** Why the ended sagas that did not confirm were cancelled, and how often (of every saga). */
const cancellations: [CancelReason, number][] = [
  ['PAYMENT_DECLINED', 0.04],
  ['OUT_OF_STOCK', 0.03],
  ['CANCELLED_BY_CUSTOMER', 0.015],
  ['USER_REJECTED', 0.007],
  ['STEP_TIMEOUT', 0.005],
  ['UNKNOWN_PRODUCT', 0.002],
  ['CANCELLED_BY_OPERATOR', 0.001],
];

/** What the bench searches for: ids of a heavy and a light customer and product, and the span of the starts. */
export interface Population {
  sagas: number;
  start: number;
  end: number;
  customers: { heavy: string; light: string };
  products: { popular: string; rare: string };
}

/** mulberry32: a small seeded generator, enough for a spread of test data. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const idOf = (kind: string, n: number) => `00000000-0000-4000-8000-${kind}${String(n).padStart(11, '0')}`;

export function populate(
  client: Database.Database,
  db: BetterSQLite3Database<typeof schema>,
  count: number,
  progress: (done: number) => void,
): Population {
  const random = seeded(42);
  // A few customers and products take much of the trade (r² skews the draw to the low ids).
  const skewed = (n: number) => Math.floor(n * random() ** 2);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const priceOf = Array.from({ length: PRODUCTS }, () => Math.round(Math.exp(Math.log(2_000) + gauss())));
  const perCustomer = new Uint32Array(CUSTOMERS);
  const perProduct = new Uint32Array(PRODUCTS);
  const end = Date.UTC(2026, 0, 1);
  const start = end - 365 * DAY_MS;
  const stuck = new Set(Array.from({ length: STUCK }, () => Math.floor(random() * (count - BACKLOG))));
  const insertSaga = db.insert(sagas).values(rowParams(sagas)).prepare();
  const insertProduct = db.insert(sagaProducts).values(rowParams(sagaProducts)).prepare();
  const card = { sealed: 'x'.repeat(120), last4: '4242' };

  const one = (i: number) => {
    const startedMs = start + Math.floor(((i + random()) * (end - start)) / count);
    const orderId = v7({ msecs: startedMs, random: Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256)) });
    const customer = skewed(CUSTOMERS);
    perCustomer[customer]!++;
    const products = [...new Set(Array.from({ length: 1 + Math.floor(random() ** 2 * 4) }, () => skewed(PRODUCTS)))];
    for (const product of products) perProduct[product]!++;
    const lines: PricedLine[] = products.map((product) => ({
      productId: idOf('d', product),
      quantity: 1 + Math.floor(random() ** 3 * 5),
      name: `product ${product}`,
      unitPriceCents: priceOf[product]!,
    }));
    const state = outcome(i >= count - BACKLOG || stuck.has(i), random, {
      orderId,
      userId: idOf('c', customer),
      items: lines.map(({ productId, quantity }) => ({ productId, quantity })),
      card,
      definition: 1,
      results: {
        reserveStock: { orderId, lines, totalCents: lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0) },
      },
      deadlines: {},
    });
    const startedAt = new Date(startedMs).toISOString();
    // Seconds to settle; a timeout waits its deadline out.
    const endedMs = startedMs + (state.failure?.reason === 'STEP_TIMEOUT' ? 30_000 : 200 + random() * 3_000);
    const endedAt = new Date(endedMs).toISOString();
    insertSaga.run({
      orderId,
      status: state.status,
      version: 6,
      state,
      nextDeadlineAt: null,
      startedAt,
      updatedAt: endedAt,
      traceparent: null,
      ...searchColumns(state, endedAt),
    });
    for (const productId of productsOf(state)) insertProduct.run({ productId, startedAt, orderId });
  };

  for (let done = 0; done < count;) {
    const until = Math.min(count, done + BATCH);
    client.transaction(() => {
      for (let i = done; i < until; i++) one(i);
    })();
    done = until;
    progress(done);
  }
  // The one with the fewest sagas of those with any.
  const lightest = (counts: Uint32Array) =>
    counts.reduce((best, n, i) => (n > 0 && (best < 0 || n < counts[best]!) ? i : best), -1);
  return {
    sagas: count,
    start,
    end,
    customers: { heavy: idOf('c', 0), light: idOf('c', lightest(perCustomer)) },
    products: { popular: idOf('d', 0), rare: idOf('d', lightest(perProduct)) },
  };
}

type Facts = Omit<SagaState, 'status' | 'steps' | 'failure'>;
const steps = (
  verifyUser: StepStatus,
  reserveStock: StepStatus,
  settlePayment: StepStatus,
  commitStock: StepStatus,
  releaseStock: StepStatus,
  refundPayment: StepStatus,
) => ({ verifyUser, reserveStock, settlePayment, commitStock, releaseStock, refundPayment });

/** How a saga went: confirmed, cancelled for a reason (priced or not), or still running or compensating. */
function outcome(unfinished: boolean, random: () => number, facts: Facts): SagaState {
  const draw = random();
  if (unfinished) {
    if (draw < 0.5)
      return {
        ...facts,
        results: {},
        status: 'RUNNING',
        steps: steps('pending', 'pending', 'waiting', 'waiting', 'waiting', 'waiting'),
      };
    if (draw < 0.8)
      return {
        ...facts,
        status: 'RUNNING',
        steps: steps('succeeded', 'succeeded', 'pending', 'waiting', 'waiting', 'waiting'),
      };
    return {
      ...facts,
      status: 'COMPENSATING',
      steps: steps('succeeded', 'succeeded', 'timed_out', 'waiting', 'pending', 'pending'),
      failure: { reason: 'STEP_TIMEOUT', detail: 'settlePayment' },
    };
  }
  let share = draw;
  for (const [reason, odds] of cancellations) {
    if (share >= odds) {
      share -= odds;
      continue;
    }
    const failure = { reason };
    switch (reason) {
      case 'OUT_OF_STOCK':
      case 'UNKNOWN_PRODUCT':
        return {
          ...facts,
          results: {},
          status: 'CANCELLED',
          failure,
          steps: steps('succeeded', 'failed', 'waiting', 'waiting', 'waiting', 'waiting'),
        };
      case 'USER_REJECTED':
        return {
          ...facts,
          status: 'CANCELLED',
          failure,
          steps: steps('failed', 'succeeded', 'waiting', 'waiting', 'succeeded', 'waiting'),
        };
      case 'PAYMENT_DECLINED':
        return {
          ...facts,
          status: 'CANCELLED',
          failure,
          steps: steps('succeeded', 'succeeded', 'failed', 'waiting', 'succeeded', 'waiting'),
        };
      case 'STEP_TIMEOUT':
        return {
          ...facts,
          status: 'CANCELLED',
          failure,
          steps: steps('succeeded', 'succeeded', 'timed_out', 'waiting', 'succeeded', 'succeeded'),
        };
      case 'CANCELLED_BY_CUSTOMER':
      case 'CANCELLED_BY_OPERATOR':
        return {
          ...facts,
          status: 'CANCELLED',
          failure,
          steps: steps('succeeded', 'succeeded', 'waiting', 'waiting', 'succeeded', 'waiting'),
        };
      default:
        return assertNever(reason);
    }
  }
  return {
    ...facts,
    status: 'CONFIRMED',
    steps: steps('succeeded', 'succeeded', 'succeeded', 'succeeded', 'waiting', 'waiting'),
  };
}
