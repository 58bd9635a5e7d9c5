import { describe, expect, it } from 'vitest';
import { auditViolations, type AuditState } from './violations';

/**
 * A shop at one moment: `done` confirmed (2 mugs), `undone` cancelled after its payment was
 * refunded and its stock released, `running` mid-saga with its stock reserved and its payment
 * settled, which is allowed while it runs.
 */
const consistent = (): AuditState => ({
  products: [{ id: 'mug', stock: 5, reserved: 3, sold: 2, received: 10 }],
  reservations: [
    { orderId: 'done', productId: 'mug', quantity: 2, status: 'committed' },
    { orderId: 'undone', productId: 'mug', quantity: 1, status: 'released' },
    { orderId: 'running', productId: 'mug', quantity: 3, status: 'reserved' },
  ],
  orders: [
    { id: 'done', status: 'CONFIRMED' },
    { id: 'undone', status: 'CANCELLED' },
    { id: 'running', status: 'PENDING' },
  ],
  history: [
    { orderId: 'done', status: 'PENDING' },
    { orderId: 'done', status: 'CONFIRMED' },
    { orderId: 'undone', status: 'PENDING' },
    { orderId: 'undone', status: 'CANCELLED' },
    { orderId: 'running', status: 'PENDING' },
  ],
  payments: [
    { id: 'pay-done', orderId: 'done', status: 'settled' },
    { id: 'pay-undone', orderId: 'undone', status: 'refunded' },
    { id: 'pay-running', orderId: 'running', status: 'settled' },
  ],
  sagas: [
    { orderId: 'done', status: 'CONFIRMED' },
    { orderId: 'undone', status: 'CANCELLED' },
    { orderId: 'running', status: 'COMPENSATING' },
  ],
});

/** Given the consistent shop changed by `change`, the violations found, as [ids, message]. */
const given = (change: (state: AuditState) => void) => {
  const state = consistent();
  change(state);
  return auditViolations(state).map((v) => [v.ids, v.message]);
};

describe('auditViolations', () => {
  it('finds none in a consistent shop, sagas in flight included', () => {
    expect(auditViolations(consistent())).toEqual([]);
  });

  it('stock that is not conserved, or negative', () => {
    expect(given((s) => (s.products[0]!.stock = -1))).toEqual([
      [['mug'], 'product mug: stock is negative (-1)'],
      [['mug'], 'product mug: stock not conserved: -1 on the shelf + 3 reserved + 2 sold ≠ 10 received'],
    ]);
  });

  it('a count that disagrees with the reservations behind it', () => {
    expect(given((s) => (s.products[0]! = { id: 'mug', stock: 4, reserved: 3, sold: 3, received: 10 }))).toEqual([
      [['mug'], 'product mug: counts 3 sold, its committed reservations hold 2'],
    ]);
  });

  it('stock still reserved for an order that ended: the leak', () => {
    expect(given((s) => (s.reservations[1]!.status = 'reserved'))).toEqual([
      [['mug'], 'product mug: counts 3 reserved, its open reservations hold 4'],
      [['undone', 'mug'], 'order undone (CANCELLED): 1 of mug still reserved'],
    ]);
  });

  it('stock sold to an order that did not end confirmed, but not to one being confirmed', () => {
    expect(given((s) => (s.reservations[2]!.status = 'committed'))).toEqual([
      [['mug'], 'product mug: counts 3 reserved, its open reservations hold 0'],
      [['mug'], 'product mug: counts 2 sold, its committed reservations hold 5'],
    ]);
    expect(
      given((s) => {
        s.reservations[1]!.status = 'committed';
        s.products[0] = { id: 'mug', stock: 4, reserved: 3, sold: 3, received: 10 };
      }),
    ).toEqual([[['undone', 'mug'], 'order undone (CANCELLED): 1 of mug sold to it']]);
  });

  it('an order both confirmed and cancelled, or ended other than its saga', () => {
    expect(given((s) => s.history.push({ orderId: 'done', status: 'CANCELLED' }))).toEqual([
      [['done'], 'order done: both confirmed and cancelled in its history'],
    ]);
    expect(given((s) => (s.sagas[0]!.status = 'CANCELLED'))).toEqual([
      [['done'], 'order done is CONFIRMED, its saga CANCELLED'],
    ]);
  });

  it('a payment settled for a cancelled order, or a confirmed order not paid exactly once', () => {
    expect(given((s) => (s.payments[1]!.status = 'settled'))).toEqual([
      [['undone', 'pay-undone'], 'order undone (CANCELLED): payment pay-undone settled and never refunded'],
    ]);
    expect(given((s) => s.payments.push({ id: 'pay-twice', orderId: 'done', status: 'settled' }))).toEqual([
      [['done'], 'order done (CONFIRMED): 2 settled payments, not one'],
    ]);
  });
});
