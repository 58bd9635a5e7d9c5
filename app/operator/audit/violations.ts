import type { AuditSnapshot } from '../../../contracts/rest';

/**
 * The invariants of the design, checked across every service's data at one moment (an audit
 * of a running shop, or of a stopped one's files). Sagas still running are allowed what a saga
 * in flight holds (reserved stock, a settled payment not yet confirmed); only what can never
 * be true is a violation. Pure: the state is read elsewhere (read-state.ts).
 */

/** Every audited service's rows at one moment: each service's snapshot, all of them. */
export type AuditState = Required<AuditSnapshot>;

export interface Violation {
  /** The ids involved: the order's first, then the product's or payment's. */
  ids: string[];
  message: string;
}

const terminal = (status: string | undefined) => status === 'CONFIRMED' || status === 'CANCELLED';

const sumBy = <T>(items: readonly T[], key: (item: T) => string, amount: (item: T) => number) => {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + amount(item));
  return sums;
};

export function auditViolations(state: AuditState): Violation[] {
  return [...stockViolations(state), ...orderViolations(state), ...paymentViolations(state)];
}

function stockViolations({ products, reservations, orders }: AuditState): Violation[] {
  const violations: Violation[] = [];
  const held = (status: string) =>
    sumBy(
      reservations.filter((r) => r.status === status),
      (r) => r.productId,
      (r) => r.quantity,
    );
  const reserved = held('reserved');
  const committed = held('committed');
  for (const p of products) {
    const ids = [p.id];
    if (p.stock < 0) violations.push({ ids, message: `product ${p.id}: stock is negative (${p.stock})` });
    if (p.reserved < 0) violations.push({ ids, message: `product ${p.id}: reserved is negative (${p.reserved})` });
    if (p.stock + p.reserved + p.sold !== p.received)
      violations.push({
        ids,
        message: `product ${p.id}: stock not conserved: ${p.stock} on the shelf + ${p.reserved} reserved + ${p.sold} sold ≠ ${p.received} received`,
      });
    if (p.reserved !== (reserved.get(p.id) ?? 0))
      violations.push({
        ids,
        message: `product ${p.id}: counts ${p.reserved} reserved, its open reservations hold ${reserved.get(p.id) ?? 0}`,
      });
    if (p.sold !== (committed.get(p.id) ?? 0))
      violations.push({
        ids,
        message: `product ${p.id}: counts ${p.sold} sold, its committed reservations hold ${committed.get(p.id) ?? 0}`,
      });
  }
  const statusOf = new Map(orders.map((order) => [order.id, order.status]));
  for (const r of reservations) {
    const status = statusOf.get(r.orderId);
    const ids = [r.orderId, r.productId];
    if (r.status === 'reserved' && terminal(status))
      violations.push({
        ids,
        message: `order ${r.orderId} (${status}): ${r.quantity} of ${r.productId} still reserved`,
      });
    // The saga commits the stock, then confirms the order: in between, a pending order holds it.
    if (r.status === 'committed' && status !== 'CONFIRMED' && status !== 'PENDING')
      violations.push({
        ids,
        message: `order ${r.orderId} (${status ?? 'unknown'}): ${r.quantity} of ${r.productId} sold to it`,
      });
  }
  return violations;
}

function orderViolations({ orders, history, sagas }: AuditState): Violation[] {
  const violations: Violation[] = [];
  const sagaStatus = new Map(sagas.map((saga) => [saga.orderId, saga.status]));
  const ends = new Map<string, Set<string>>();
  for (const entry of history)
    if (terminal(entry.status)) ends.set(entry.orderId, (ends.get(entry.orderId) ?? new Set()).add(entry.status));
  for (const order of orders) {
    const ids = [order.id];
    if ((ends.get(order.id)?.size ?? 0) > 1)
      violations.push({ ids, message: `order ${order.id}: both confirmed and cancelled in its history` });
    const saga = sagaStatus.get(order.id);
    // A saga ends before its order hears of it; an order ending on its own never happens.
    if (terminal(order.status) && saga !== order.status)
      violations.push({ ids, message: `order ${order.id} is ${order.status}, its saga ${saga ?? 'missing'}` });
  }
  return violations;
}

function paymentViolations({ orders, payments }: AuditState): Violation[] {
  const violations: Violation[] = [];
  const statusOf = new Map(orders.map((order) => [order.id, order.status]));
  for (const payment of payments) {
    const status = statusOf.get(payment.orderId);
    const ids = [payment.orderId, payment.id];
    if (status === undefined)
      violations.push({ ids, message: `payment ${payment.id} (${payment.status}): no order ${payment.orderId}` });
    else if (payment.status === 'settled' && status === 'CANCELLED')
      violations.push({
        ids,
        message: `order ${payment.orderId} (CANCELLED): payment ${payment.id} settled and never refunded`,
      });
    else if (payment.status !== 'settled' && status === 'CONFIRMED')
      violations.push({
        ids,
        message: `order ${payment.orderId} (CONFIRMED): payment ${payment.id} ${payment.status}`,
      });
  }
  const settled = sumBy(
    payments.filter((p) => p.status === 'settled'),
    (p) => p.orderId,
    () => 1,
  );
  for (const order of orders)
    if (order.status === 'CONFIRMED' && settled.get(order.id) !== 1)
      violations.push({
        ids: [order.id],
        message: `order ${order.id} (CONFIRMED): ${settled.get(order.id) ?? 0} settled payments, not one`,
      });
  return violations;
}
