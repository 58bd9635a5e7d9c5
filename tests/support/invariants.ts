import { expect } from 'vitest';
import { CancelReason, type ServiceName } from '../../contracts';
import { brokerBacklog, type Backlog, type BrokerLocation } from './broker-backlog';
import { readEndState, type EndState, type StoreLocation } from './end-state';
import { waitFor } from '../../lib/wait';

const terminal = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';

/** A system as the invariants see it: its data, its broker, and the test's own record of the stock. */
export type Observed = BrokerLocation &
  StoreLocation & {
    /**
     * Units the test itself put on each product's shelf (created stock plus restocks), kept by the
     * test rather than read from the code under test: what conservation is checked against.
     */
    received: ReadonlyMap<string, number>;
  };

export interface InvariantOptions {
  timeoutMs?: number;
  /** Dead letters the scenario made on purpose, per queue; anything else dead-lettered fails. */
  deadLettered?: Partial<Record<ServiceName, number>>;
}

/**
 * Waits until the system is quiet (every saga ended, every outbox drained, no message waiting in
 * the broker), then checks the invariants of the design over everything every service holds.
 * Returns the end state for further checks.
 */
export async function expectInvariants(
  system: Observed,
  { timeoutMs = 30_000, deadLettered = {} }: InvariantOptions = {},
): Promise<EndState> {
  let state: EndState | undefined;
  let backlog: Backlog | undefined;
  await waitFor(
    async () => {
      state = await readEndState(system);
      const settled =
        state.sagas.length === state.orders.length &&
        state.sagas.every((saga) => terminal(saga.status)) &&
        state.orders.every((order) => terminal(order.status)) &&
        Object.values(state.outbox).every((rows) => rows === 0);
      if (!settled) return false;
      backlog = await brokerBacklog(system);
      return Object.values(backlog.waiting).every((count) => count === 0);
    },
    { timeoutMs, what: 'every saga to end, every outbox to drain and every broker queue to empty' },
  );
  expectConsistent(state!, system.received);
  expect(backlog!.deadLettered, 'dead letters the scenario did not make on purpose').toEqual({
    ...Object.fromEntries(Object.keys(backlog!.deadLettered).map((queue) => [queue, 0])),
    ...deadLettered,
  });
  return state!;
}

/** The invariants over one end state; `received` is the test's own record of what was stocked. */
export function expectConsistent(state: EndState, received: ReadonlyMap<string, number>): void {
  const orderById = new Map(state.orders.map((order) => [order.id, order]));
  const confirmed = state.orders.filter((order) => order.status === 'CONFIRMED');

  // Stock is conserved against the test's ledger, never negative, never oversold, and what each
  // product counts as sold is what the confirmed orders (in the orders service) bought.
  expect(state.products.map((product) => product.id).sort(), 'the products are the ones the test created').toEqual(
    [...received.keys()].sort(),
  );
  for (const product of state.products) {
    const stocked = received.get(product.id)!;
    const bought = confirmed
      .flatMap((order) => JSON.parse(order.items) as { productId: string; quantity: number }[])
      .filter((item) => item.productId === product.id)
      .reduce((sum, item) => sum + item.quantity, 0);
    expect(product, `units of ${product.id}`).toMatchObject({
      stock: stocked - bought,
      reserved: 0,
      sold: bought,
      received: stocked,
    });
    const committed = state.reservations
      .filter((r) => r.product_id === product.id && r.status === 'committed')
      .reduce((sum, r) => sum + r.quantity, 0);
    expect(product.sold, `sold units of ${product.id} are the committed reservations`).toBe(committed);
  }

  for (const reservation of state.reservations) {
    const order = orderById.get(reservation.order_id);
    expect(reservation.status, `reservation of ${reservation.order_id}`).toBe(
      order?.status === 'CONFIRMED' ? 'committed' : 'released',
    );
  }

  // Every saga belongs to an order that agrees with it, reason and detail included; an order
  // ends one way only.
  expect(state.sagas.map((saga) => saga.order_id).sort(), 'one saga per order').toEqual(
    state.orders.map((order) => order.id).sort(),
  );
  for (const saga of state.sagas) {
    const order = orderById.get(saga.order_id)!;
    expect(
      { status: order.status, reason: order.reason, detail: order.detail },
      `order ${saga.order_id} agrees with its saga`,
    ).toEqual({ status: saga.status, reason: saga.reason, detail: saga.detail });
    // Notes may follow the end (a late payment refunded), but an order ends one way only.
    const ends = state.history.filter((entry) => entry.order_id === saga.order_id && terminal(entry.status));
    expect([...new Set(ends.map((entry) => entry.status))]).toEqual([saga.status]);
    if (order.status === 'CANCELLED') expect(CancelReason.options).toContain(order.reason);
  }

  // Every order was placed by a known user.
  const users = new Set(state.users.map((user) => user.id));
  for (const order of state.orders) expect(users.has(order.user_id), `buyer of order ${order.id} is a user`).toBe(true);

  // Every payment belongs to an order of the same buyer: a settled one to a confirmed order,
  // charged its total once, with its invoice; a refunded or declined one to a cancelled order.
  for (const payment of state.payments) {
    const order = orderById.get(payment.order_id);
    const what = `payment ${payment.id} (${payment.status}) of order ${payment.order_id}`;
    expect(order, `${what} belongs to an order`).toBeDefined();
    expect(payment.user_id, `${what} charged the buyer`).toBe(order!.user_id);
    expect(payment.card_last4).toMatch(/^\d{4}$/);
    expect(order!.status, what).toBe(payment.status === 'settled' ? 'CONFIRMED' : 'CANCELLED');
  }
  for (const order of confirmed) {
    const settled = state.payments.filter((p) => p.order_id === order.id && p.status === 'settled');
    expect(settled, `payment of confirmed order ${order.id}`).toHaveLength(1);
    expect(settled[0]!.amount_cents).toBe(order.total_cents);
    const invoices = state.invoices.filter((i) => i.order_id === order.id);
    expect(invoices, `invoice of confirmed order ${order.id}`).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ id: order.invoice_id, total_cents: order.total_cents, refunded_at: null });
  }

  // An invoice stands for a confirmed order; a refunded one stays in the books for a cancelled
  // order, which shows no invoice.
  for (const invoice of state.invoices) {
    const order = orderById.get(invoice.order_id);
    const what = `invoice ${invoice.id} (${invoice.refunded_at ? 'refunded' : 'standing'}) of order ${invoice.order_id}`;
    expect(order?.status, what).toBe(invoice.refunded_at ? 'CANCELLED' : 'CONFIRMED');
    expect(invoice.user_id, `${what} is the buyer's`).toBe(order!.user_id);
  }
  for (const order of state.orders.filter((o) => o.status !== 'CONFIRMED'))
    expect(order.invoice_id, `order ${order.id} (${order.status}) shows no invoice`).toBeNull();

  // The inbox keeps each handled message id once: that is what makes a duplicate a no-op.
  expect(state.inboxRepeats, 'message ids held twice by an inbox').toEqual(
    Object.fromEntries(Object.keys(state.inboxRepeats).map((db) => [db, 0])),
  );
}
