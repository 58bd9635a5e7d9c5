import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoice, Order, OrderStats } from '../../contracts/rest';
import { CARDS } from '../support/api';
import { startTestSystem, type TestSystem } from '../support/system';

type Page<T> = { items: T[]; nextCursor: string | null };

describe('orders, their figures and invoices', () => {
  let system: TestSystem;
  let ann: { id: string; token: string };
  let bob: { id: string; token: string };
  let admin: string;
  const placed: Order[] = [];
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    const { api } = system;
    admin = await api.adminToken();
    [ann, bob] = [await api.customer('Ann'), await api.customer('Bob')];
    const mug = await api.createProduct({ priceCents: 1000, stock: 100 });
    const plan: [typeof ann, number, string][] = [
      [ann, 1, CARDS.settles],
      [ann, 2, CARDS.declined],
      [bob, 3, CARDS.settles],
      [ann, 200, CARDS.settles], // out of stock
      [ann, 4, CARDS.settles],
    ];
    for (const [buyer, quantity, card] of plan) {
      const reply = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity }], card);
      placed.push(await api.settled(buyer.token, reply.body.id));
    }
  });
  afterAll(() => system.stop());

  const list = async (token: string, query = '') =>
    (await system.api.call<Page<Order>>('GET', `/orders${query}`, { token })).body;

  it('lists a customer’s own orders, newest first; an admin sees everyone’s', async () => {
    const anns = placed.filter((o) => o.userId === ann.id).map((o) => o.id);
    expect((await list(ann.token)).items.map((o) => o.id)).toEqual([...anns].reverse());
    expect((await list(admin)).items.map((o) => o.id)).toEqual(placed.map((o) => o.id).reverse());
  });

  it('filters by status and pages with the cursor', async () => {
    const confirmed = await list(ann.token, '?status=CONFIRMED');
    expect(confirmed.items.map((o) => o.status)).toEqual(['CONFIRMED', 'CONFIRMED']);
    const first = await list(admin, '?limit=2');
    expect(first.items).toHaveLength(2);
    const rest = await list(admin, `?limit=10&cursor=${first.nextCursor}`);
    expect([...first.items, ...rest.items].map((o) => o.id)).toEqual(placed.map((o) => o.id).reverse());
    expect(rest.nextCursor).toBeNull();
    expect((await system.api.call('GET', '/orders?status=LOST', { token: admin })).status).toBe(400);
  });

  it('stats: counts by status, revenue of confirmed orders, average order value, cancellations by reason', async () => {
    const reply = await system.api.call<OrderStats>('GET', '/orders/stats', { token: admin });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      counts: { PENDING: 0, CONFIRMED: 3, CANCELLED: 2 },
      revenueCents: (1 + 3 + 4) * 1000,
      averageOrderValueCents: Math.round((8 * 1000) / 3),
      cancellationsByReason: {
        USER_REJECTED: 0,
        OUT_OF_STOCK: 1,
        UNKNOWN_PRODUCT: 0,
        PAYMENT_DECLINED: 1,
        STEP_TIMEOUT: 0,
        CANCELLED_BY_CUSTOMER: 0,
        CANCELLED_BY_OPERATOR: 0,
      },
    });
    expect((await system.api.call('GET', '/orders/stats', { token: ann.token })).status).toBe(403);
  });

  it('invoices: a customer’s own, newest first; someone else’s is 404; an admin sees all', async () => {
    const mine = await system.api.call<Page<Invoice>>('GET', '/invoices', { token: ann.token });
    const annConfirmed = placed.filter((o) => o.userId === ann.id && o.status === 'CONFIRMED');
    expect(mine.body.items.map((i) => i.orderId)).toEqual(annConfirmed.map((o) => o.id).reverse());
    const bobs = placed.find((o) => o.userId === bob.id)!;
    expect((await system.api.call('GET', `/invoices/${bobs.invoiceId}`, { token: ann.token })).status).toBe(404);
    expect((await system.api.call('GET', `/orders/${bobs.id}/invoice`, { token: ann.token })).status).toBe(404);
    expect((await system.api.call('GET', `/invoices/${bobs.invoiceId}`, { token: admin })).status).toBe(200);
    const all = await system.api.call<Page<Invoice>>('GET', '/invoices?limit=1', { token: admin });
    const rest = await system.api.call<Page<Invoice>>('GET', `/invoices?limit=10&cursor=${all.body.nextCursor}`, {
      token: admin,
    });
    expect(all.body.items.length + rest.body.items.length).toBe(3);
    expect((await system.api.call('GET', `/invoices/${randomUUID()}`, { token: admin })).status).toBe(404);
  });
});
