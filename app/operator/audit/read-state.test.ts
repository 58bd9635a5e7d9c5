import { describe, expect, it } from 'vitest';
import { auditReads, auditState } from './read-state';

describe('auditState', () => {
  const snapshots = (ordersLast: { id: string; status: string }[]) =>
    auditReads.map((service, i) => {
      if (service === 'orders' && i === 0)
        return { orders: [{ id: 'done', status: 'CONFIRMED' }], history: [{ orderId: 'done', status: 'CONFIRMED' }] };
      if (service === 'orders') return { orders: ordersLast, history: [] };
      if (service === 'orchestrator') return { sagas: [] };
      if (service === 'products') return { products: [], reservations: [] };
      return { payments: [] };
    });

  it('reads orders first, and again last', () => {
    expect(auditReads[0]).toBe('orders');
    expect(auditReads.at(-1)).toBe('orders');
  });

  it('keeps what the first read of orders saw, and counts an order placed since as pending', () => {
    const state = auditState(
      snapshots([
        { id: 'done', status: 'CONFIRMED' },
        { id: 'placed-since', status: 'CONFIRMED' },
      ]),
    );
    expect(state.orders).toEqual([
      { id: 'done', status: 'CONFIRMED' },
      { id: 'placed-since', status: 'PENDING' },
    ]);
    expect(state.history).toEqual([{ orderId: 'done', status: 'CONFIRMED' }]);
  });

  it('refuses a state with a part missing', () => {
    expect(() => auditState(snapshots([]).map((s) => ('payments' in s ? {} : s)))).toThrow('the audit got no payments');
  });
});
