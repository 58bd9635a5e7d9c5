import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import type { Order } from '../../contracts/rest';
import type { Outbound } from '../../contracts/topology';
import { createTokens, type Caller } from '../../http/auth';
import { onError } from '../../http/errors';
import { logger } from '../../lib/logger';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { Admission } from './admission';
import { ordersRoutes } from './routes';
import { ordersSqlite } from './sqlite/store';
import { handleSagaOutcome } from './handlers';

const tokens = createTokens({ secret: 'test-secret', issuer: 'test', audience: 'test', expiresInSeconds: 600 });

/** Who may see and cancel which order, through the orders routes on a real orders database. */
describe('the orders routes: a customer’s own orders, an admin’s all', () => {
  let database: ScratchDatabase<typeof ordersSqlite>;
  let app: Hono;
  let sent: Outbound<'orders'>[];
  const ann: Caller = { id: randomUUID(), role: 'customer' };
  const bob: Caller = { id: randomUUID(), role: 'customer' };
  const admin: Caller = { id: randomUUID(), role: 'admin' };

  beforeEach(() => {
    database = scratchDatabase(ordersSqlite);
    sent = [];
    const routes = ordersRoutes({
      database,
      tokens,
      cardKeys: ['test-card-key'],
      admission: new Admission(100),
      send: async (_store, messages) => void sent.push(...messages),
    });
    app = new Hono().route('/', routes);
    app.onError(onError(logger));
  });
  afterEach(() => database.remove());

  async function call(caller: Caller, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${await tokens.issue(caller)}` };
    if (body) headers['content-type'] = 'application/json';
    const response = await app.request(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return { status: response.status, body: (await response.json()) as any };
  }
  const place = async (caller: Caller) => {
    const items = [{ productId: randomUUID(), quantity: 1 }];
    const reply = await call(caller, 'POST', '/orders', { items, payment: { cardNumber: '4242424242424242' } });
    expect(reply.status).toBe(202);
    return reply.body as Order;
  };
  const idsListed = async (caller: Caller, query = '') =>
    ((await call(caller, 'GET', `/orders${query}`)).body.items as Order[]).map((order) => order.id);

  it('lists a customer’s own orders only, with or without a status filter; an admin’s list has all', async () => {
    const [first, second] = [await place(ann), await place(ann)];
    const bobs = await place(bob);
    expect(await idsListed(ann)).toEqual([second.id, first.id]);
    expect(await idsListed(ann, '?status=PENDING')).toEqual([second.id, first.id]);
    expect(await idsListed(bob)).toEqual([bobs.id]);
    expect((await idsListed(admin)).sort()).toEqual([first.id, second.id, bobs.id].sort());
  });

  it('shows and cancels an order for its owner and an admin; to anyone else it does not exist', async () => {
    const bobs = await place(bob);
    sent.length = 0;
    expect(await call(ann, 'GET', `/orders/${bobs.id}`)).toMatchObject({ status: 404, body: { error: {} } });
    expect((await call(ann, 'POST', `/orders/${bobs.id}/cancel`)).status).toBe(404);
    expect(sent, 'a refused cancel asks nothing of the saga').toEqual([]);

    expect(await call(admin, 'GET', `/orders/${bobs.id}`)).toMatchObject({ status: 200, body: { id: bobs.id } });
    expect((await call(bob, 'POST', `/orders/${bobs.id}/cancel`)).status).toBe(202);
    expect(sent).toMatchObject([
      { type: 'OrderCancellationRequested', data: { orderId: bobs.id, requestedBy: bob.id } },
    ]);
  });

  it('places orders for customers only, and cancels only a pending one', async () => {
    expect(
      (await call(admin, 'POST', '/orders', { items: [], payment: { cardNumber: '4242424242424242' } })).status,
    ).toBe(400);
    const items = [{ productId: randomUUID(), quantity: 1 }];
    expect((await call(admin, 'POST', '/orders', { items, payment: { cardNumber: '4242424242424242' } })).status).toBe(
      403,
    );
    const order = await place(ann);
    const cancelled = envelope(
      { type: 'OrderCancelled', data: { orderId: order.id, reason: 'PAYMENT_DECLINED', detail: 'card_declined' } },
      { producer: 'orchestrator', correlationId: order.id, causationId: null },
    );
    await database.transaction((store) => handleSagaOutcome(store, cancelled, new Date()));
    expect(await call(ann, 'POST', `/orders/${order.id}/cancel`)).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict' } },
    });
  });
});
