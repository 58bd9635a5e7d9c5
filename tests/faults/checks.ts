import { expect } from 'vitest';
import { readEndState, type EndState } from '../support/end-state';
import { expectInvariants, type InvariantOptions, type Observed } from '../support/invariants';
import { rabbitUrl } from '../support/system';
import type { Cluster } from './cluster';
import { describeOrders } from './diagnose';
import { type Placed } from './load';
import { settles, type OrderView, type Shop } from './shop';
import { locate, rows, type Where } from './stores';

const terminal = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';
/** History rows a late answer's compensation added, before or after the end (services/orders/handlers.ts). */
const isLateNote = (detail: string | null) => detail !== null && /after its deadline, so it was/.test(detail);

const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

export interface LostOrDoubledOptions {
  /** Cancel reasons this scenario may produce; anything else (STEP_TIMEOUT after a loss, say) fails. */
  allowedReasons: readonly string[];
}

/**
 * What `expectInvariants` does not already check, over every order the test placed:
 * nothing lost (every placed order exists, is terminal, and agrees with what the client saw;
 * no order appeared that the client did not place) and nothing doubled (one order per
 * Idempotency-Key, at most one charge per order, one end per order, reservations exactly the
 * order's lines).
 * Call it after `expectInvariants`, with the state that returned; `where` is the cluster (or its
 * data folder, on SQLite).
 */
export async function expectNothingLostOrDoubled(
  where: Where,
  state: EndState,
  shop: Shop,
  placed: readonly Placed[],
  views: ReadonlyMap<string, OrderView>,
  { allowedReasons }: LostOrDoubledOptions,
): Promise<void> {
  const placedIds = placed.map((order) => order.id);
  expect(new Set(placedIds).size, 'every Idempotency-Key answered its own order').toBe(placed.length);

  // Nothing lost, nothing extra: the orders database holds exactly the orders placed.
  const stored = new Set(state.orders.map((order) => order.id));
  expect(
    placedIds.filter((id) => !stored.has(id)),
    'orders the client was told about but that are not stored',
  ).toEqual([]);
  expect(
    state.orders.filter((order) => !placedIds.includes(order.id)).map((order) => order.id),
    'orders stored that no client placed (a retried POST not deduplicated)',
  ).toEqual([]);
  const keys = await rows<{ key: string; order_id: string }>(
    where,
    'orders',
    (t) => `SELECT key, order_id FROM ${t('idempotency_keys')}`,
  );
  expect(keys).toHaveLength(placed.length);
  const orderOfKey = new Map(keys.map((row) => [row.key, row.order_id]));
  for (const order of placed)
    expect(orderOfKey.get(order.idempotencyKey), `key of order #${order.index}`).toBe(order.id);

  const orderById = new Map(state.orders.map((order) => [order.id, order]));
  const history = await rows<{ order_id: string; status: string; detail: string | null }>(
    where,
    'orders',
    (t) => `SELECT order_id, status, detail FROM ${t('order_history')} ORDER BY seq`,
  );
  const historyOf = groupBy(history, (entry) => entry.order_id);
  const paymentsOf = groupBy(state.payments, (payment) => payment.order_id);
  const invoicesOf = countBy(state.invoices, (invoice) => invoice.order_id);
  const reservationsOf = groupBy(state.reservations, (reservation) => reservation.order_id);
  const priceOf = new Map(shop.catalogue.map((product) => [product.id, product.priceCents]));

  for (const spec of placed) {
    const order = orderById.get(spec.id)!;
    const what = `order #${spec.index} ${spec.id}`;
    expect(terminal(order.status), `${what} is terminal`).toBe(true);
    expect(views.get(spec.id)?.status, `${what}: the client saw what is stored`).toBe(order.status);
    expect(
      JSON.parse(order.items).map((i: { productId: string; quantity: number }) => [i.productId, i.quantity]),
    ).toEqual(spec.items.map((i) => [i.productId, i.quantity]));

    // One start and one end: a doubled outcome would show as a second end.
    const entries = historyOf.get(spec.id) ?? [];
    expect(
      entries.filter((entry) => entry.status === 'PENDING' && !isLateNote(entry.detail)),
      `${what}: one PENDING entry`,
    ).toHaveLength(1);
    expect(
      entries.filter((entry) => terminal(entry.status) && !isLateNote(entry.detail)),
      `${what}: ended exactly once`,
    ).toHaveLength(1);

    // At most one charge attempt, at most one charge that stood or was refunded, at most one invoice.
    const payments = paymentsOf.get(spec.id) ?? [];
    expect(payments.length, `${what}: payment rows`).toBeLessThanOrEqual(1);
    expect(
      payments.filter((p) => p.status === 'settled' || p.status === 'refunded').length,
      `${what}: settled-or-refunded payments`,
    ).toBeLessThanOrEqual(1);
    expect(invoicesOf.get(spec.id) ?? 0, `${what}: invoices`).toBeLessThanOrEqual(1);
    if (payments[0]?.status === 'refunded') expect(order.status, `${what}: refunded, so cancelled`).toBe('CANCELLED');

    // Reservations are all of the order's lines or none.
    const held = (reservationsOf.get(spec.id) ?? []).map((r) => [r.product_id, r.quantity]).sort();
    if (held.length > 0)
      expect(held, `${what}: reservations are its lines`).toEqual(
        spec.items.map((i) => [i.productId, i.quantity]).sort(),
      );

    if (order.status === 'CONFIRMED') {
      expect(settles(spec.card), `${what}: confirmed with a card that should decline`).toBe(true);
      expect(held.length, `${what}: confirmed, so it reserved`).toBeGreaterThan(0);
      const total = spec.items.reduce((sum, item) => sum + item.quantity * priceOf.get(item.productId)!, 0);
      expect(order.total_cents, `${what}: total`).toBe(total);
      expect(payments[0]?.amount_cents, `${what}: charged its total`).toBe(total);
    } else {
      expect(allowedReasons, `${what}: reason ${order.reason} is possible in this scenario`).toContain(order.reason);
      if (order.reason === 'CANCELLED_BY_CUSTOMER')
        expect(spec.cancelMaybeSent, `${what}: cancelled by a customer who asked`).toBe(true);
      if (order.reason === 'PAYMENT_DECLINED')
        expect(settles(spec.card), `${what}: a settling card declined`).toBe(false);
    }
  }
}

/** The orders an invariant failure is about: held stock, disagreeing services, charges on cancelled orders. */
export function suspiciousOrders(state: EndState): string[] {
  const orderById = new Map(state.orders.map((order) => [order.id, order]));
  const sagaById = new Map(state.sagas.map((saga) => [saga.order_id, saga]));
  const ids = new Set<string>();
  for (const r of state.reservations) {
    const status = orderById.get(r.order_id)?.status;
    if (r.status === 'reserved' || (r.status === 'committed') !== (status === 'CONFIRMED')) ids.add(r.order_id);
  }
  for (const p of state.payments) {
    if (p.status === 'settled' && orderById.get(p.order_id)?.status !== 'CONFIRMED') ids.add(p.order_id);
  }
  for (const order of state.orders) {
    if (!terminal(order.status) || sagaById.get(order.id)?.status !== order.status) ids.add(order.id);
  }
  for (const saga of state.sagas) if (!orderById.has(saga.order_id)) ids.add(saga.order_id);
  return [...ids];
}

/**
 * A cluster as the invariants see it, with the test's own ledger of stock: what the shop was
 * created with plus what the test restocked.
 */
export function observed(
  cluster: Pick<Cluster, 'dataDir' | 'namespace'> & { databaseUrl?: string },
  shop: Shop,
  restocked: Readonly<Record<string, number>> = {},
): Observed {
  const received = new Map(shop.catalogue.map((product) => [product.id, product.stock + (restocked[product.id] ?? 0)]));
  const { namespace } = cluster;
  const where = locate(cluster);
  const store = where.databaseUrl
    ? { dataDir: where.dataDir, databaseUrl: where.databaseUrl }
    : { dataDir: where.dataDir };
  return namespace ? { ...store, received, rabbit: { url: rabbitUrl, namespace } } : { ...store, received };
}

/**
 * `expectInvariants`, with the story of the orders involved appended when it fails: which
 * service holds what, the saga's state and its trace message by message.
 */
export async function expectInvariantsExplained(system: Observed, options?: InvariantOptions): Promise<EndState> {
  try {
    return await expectInvariants(system, options);
  } catch (error) {
    let story: string;
    try {
      const ids = suspiciousOrders(await readEndState(system));
      story = ids.length ? await describeOrders(system, ids) : 'no order stands out in the end state';
    } catch (readError) {
      story = `could not read the end state: ${String(readError)}`;
    }
    if (error instanceof Error) error.message = `${error.message}\n--- what the databases say ---\n${story}`;
    throw error;
  }
}
