import { expect } from 'vitest';
import type { Order } from '../../contracts/rest';
import { waitFor } from '../../lib/wait';
import type { EndState } from './end-state';
import type { FaultyBroker } from './faulty-broker';
import { expectInvariants } from './invariants';
import type { TestSystem } from './system';
import type { TraceEntry } from './api';

export interface MidCommit {
  /**
   * Where the commit is when the cancel comes: `before` products commit (CommitStock held), or
   * `after` (the stock is sold, its StockCommitted held on its way back to the saga).
   */
  when: 'before' | 'after';
  buyer: { token: string };
  productId: string;
  quantity: number;
}

/**
 * Places an order and has its customer cancel it after the payment settled and before the saga
 * hears that the stock was committed: the one window in which money is taken and the stock may
 * already be sold. Returns the order once its saga has ended.
 */
export async function cancelMidCommit(
  { api }: TestSystem,
  faults: FaultyBroker,
  { when, buyer, productId, quantity }: MidCommit,
): Promise<Order> {
  const held = when === 'before' ? 'CommitStock' : 'StockCommitted';
  const soldBefore = (await api.product(productId)).sold;
  faults.hold(held);
  const placed = await api.placeOrder(buyer.token, [{ productId, quantity }]);
  expect(placed.status).toBe(202);
  await waitFor(() => faults.holding(held) === 1, { what: `the order's ${held} to arrive` });

  const saga = await api.saga(placed.body.id);
  expect(saga.state).toMatchObject({
    status: 'RUNNING',
    steps: expect.objectContaining({ settlePayment: 'succeeded', commitStock: 'pending' }),
  });
  const sold = soldBefore + (when === 'before' ? 0 : quantity);
  expect((await api.product(productId)).sold, `sold ${when} the commit`).toBe(sold);

  const cancel = await api.call('POST', `/orders/${placed.body.id}/cancel`, { token: buyer.token });
  expect(cancel.status).toBe(202);
  await waitFor(async () => (await api.saga(placed.body.id)).state.failure?.reason === 'CANCELLED_BY_CUSTOMER', {
    what: 'the saga to take the cancel',
  });
  faults.release(held);
  return api.settled(buyer.token, placed.body.id);
}

/**
 * A customer's cancel that came after the payment settled, undone: the order cancelled without an
 * invoice, the charge refunded exactly once (its invoice kept for the books, marked refunded),
 * the stock back on the shelf. Returns the end state and the saga's trace for further checks.
 */
export async function expectUndone(
  system: TestSystem,
  { buyer, order, productId, stock }: { buyer: { token: string }; order: Order; productId: string; stock: number },
): Promise<{ state: EndState; trace: TraceEntry[] }> {
  const { api } = system;
  expect(order).toMatchObject({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
  expect(order.invoiceId, 'a cancelled order shows no invoice').toBeUndefined();
  const state = await expectInvariants(system);
  expect(await api.product(productId)).toMatchObject({ stock, reserved: 0, sold: 0 });

  const [payment, ...more] = state.payments.filter((p) => p.order_id === order.id);
  expect(more, 'one charge per order').toEqual([]);
  expect(payment).toMatchObject({ status: 'refunded' });
  const trace = await api.trace(order.id);
  const applied = (type: string) => trace.filter((m) => m.type === type && m.outcome === 'applied');
  expect(applied('PaymentRefunded'), 'the refund is taken once').toHaveLength(1);
  expect(applied('StockReleased'), 'the release is taken once').toHaveLength(1);

  const asBuyer = { token: buyer.token };
  expect((await api.call('GET', `/orders/${order.id}/invoice`, asBuyer)).status).toBe(404);
  const [invoice] = state.invoices.filter((i) => i.order_id === order.id);
  const kept = await api.call('GET', `/invoices/${invoice!.id}`, asBuyer);
  expect(kept.status).toBe(200);
  expect(kept.body).toMatchObject({ orderId: order.id, totalCents: payment!.amount_cents });
  expect(Date.parse(kept.body.refundedAt)).toBeGreaterThanOrEqual(Date.parse(kept.body.issuedAt));
  return { state, trace };
}
