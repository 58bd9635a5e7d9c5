import { expect } from 'vitest';
import { CancelReason } from '../../contracts';
import { readEndState, type EndState } from './end-state';
import { waitFor } from './wait';

const terminal = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';

/**
 * Waits until the system is quiet (every saga ended, every outbox drained), then checks the
 * invariants of DESIGN.md over everything it holds. Returns the end state for further checks.
 */
export async function expectInvariants(dataDir: string, { timeoutMs = 30_000 } = {}): Promise<EndState> {
  let state = readEndState(dataDir);
  await waitFor(
    () => {
      state = readEndState(dataDir);
      return (
        state.sagas.length === state.orders.length &&
        state.sagas.every((saga) => terminal(saga.status)) &&
        state.orders.every((order) => terminal(order.status)) &&
        Object.values(state.outbox).every((rows) => rows === 0)
      );
    },
    { timeoutMs, what: 'every saga to end and every outbox to drain' },
  );

  const orderById = new Map(state.orders.map((order) => [order.id, order]));

  // Stock is conserved, never negative, never oversold.
  for (const product of state.products) {
    expect(product.stock + product.reserved + product.sold, `units of ${product.id}`).toBe(product.received);
    expect(product.stock).toBeGreaterThanOrEqual(0);
    expect(product.reserved, `nothing stays reserved once every saga ended (${product.id})`).toBe(0);
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

  // No order is both confirmed and cancelled; the orders service agrees with the saga.
  for (const saga of state.sagas) {
    const order = orderById.get(saga.order_id);
    expect(order, `order of saga ${saga.order_id}`).toBeDefined();
    expect(order!.status, `order ${saga.order_id} agrees with its saga`).toBe(saga.status);
    // Notes may follow the end (a late payment refunded), but an order ends one way only.
    const ends = state.history.filter((entry) => entry.order_id === saga.order_id && terminal(entry.status));
    expect([...new Set(ends.map((entry) => entry.status))]).toEqual([saga.status]);
  }

  for (const order of state.orders) {
    const settled = state.payments.filter((p) => p.order_id === order.id && p.status === 'settled');
    if (order.status === 'CONFIRMED') {
      // A confirmed order was charged exactly once, for its total, and has its invoice.
      expect(settled, `payment of confirmed order ${order.id}`).toHaveLength(1);
      expect(settled[0]!.amount_cents).toBe(order.total_cents);
      const invoice = state.invoices.find((i) => i.order_id === order.id);
      expect(invoice?.id).toBe(order.invoice_id);
      expect(invoice?.total_cents).toBe(order.total_cents);
    } else {
      // Every settled payment belongs to a confirmed order or has been refunded.
      expect(settled, `no charge stands for cancelled order ${order.id}`).toHaveLength(0);
      expect(CancelReason.options).toContain(order.reason);
    }
  }
  for (const payment of state.payments) expect(payment.card_last4).toMatch(/^\d{4}$/);

  return state;
}
