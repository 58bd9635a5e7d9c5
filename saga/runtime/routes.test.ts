import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokens, type Caller } from '../../http/auth';
import { onError } from '../../http/errors';
import { logger } from '../../lib/logger';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import type { SagaState } from '../decider/decide';
import { sagaRoutes } from './routes';
import { sagaSqlite } from './sqlite/store';

const tokens = createTokens({ secret: 'test-secret', issuer: 'test', audience: 'test', expiresInSeconds: 600 });
const admin: Caller = { id: randomUUID(), role: 'admin' };
const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, second));

/** GET /sagas searched through the saga routes, on a real saga database. */
describe('the saga routes: searching sagas', () => {
  let database: ScratchDatabase<typeof sagaSqlite>;
  let app: Hono;
  beforeEach(() => {
    database = scratchDatabase(sagaSqlite);
    const routes = sagaRoutes(database, tokens, { act: async () => ({ kind: 'unknown' }), maxExtendMs: 1000 });
    app = new Hono().route('/', routes);
    app.onError(onError(logger));
  });
  afterEach(() => database.remove());

  async function get(path: string) {
    const response = await app.request(path, { headers: { authorization: `Bearer ${await tokens.issue(admin)}` } });
    return { status: response.status, body: (await response.json()) as any };
  }
  const customer = randomUUID();
  const product = randomUUID();
  const ids = { paid: randomUUID(), declined: randomUUID(), running: randomUUID() };
  const state = (orderId: string, changes: Partial<SagaState>): SagaState => ({
    orderId,
    userId: customer,
    items: [{ productId: product, quantity: 2 }],
    card: { sealed: 'sealed-card-blob', last4: '4242' },
    definition: 1,
    status: 'RUNNING',
    steps: { verifyUser: 'pending', reserveStock: 'pending', settlePayment: 'waiting' },
    results: {},
    deadlines: {},
    ...changes,
  });
  const priced = { reserveStock: { lines: [{ productId: product, quantity: 2, name: 'Mug', unitPriceCents: 1250 }] } };

  /** Confirmed (started at 1, ended at 4), cancelled (started at 2, ended at 3), running (started at 5). */
  async function three() {
    const save = (saga: SagaState, version: number | undefined, second: number) =>
      database.transaction((store) => store.saveSaga(saga, null, version, at(second)));
    await save(state(ids.paid, {}), undefined, 1);
    await save(
      state(ids.paid, {
        status: 'CONFIRMED',
        steps: { verifyUser: 'succeeded', reserveStock: 'succeeded', settlePayment: 'succeeded' },
        results: priced,
      }),
      1,
      4,
    );
    await save(state(ids.declined, {}), undefined, 2);
    await save(
      state(ids.declined, {
        status: 'CANCELLED',
        steps: { verifyUser: 'succeeded', reserveStock: 'succeeded', settlePayment: 'failed' },
        results: priced,
        failure: { reason: 'PAYMENT_DECLINED', detail: 'card_declined' },
      }),
      1,
      3,
    );
    await save(state(ids.running, {}), undefined, 5);
  }
  const listed = async (query: string) =>
    ((await get(`/sagas${query}`)).body.items as { orderId: string }[]).map((saga) => saga.orderId);

  it('shows each saga with what it is about, in the list and alone', async () => {
    await three();
    const page = await get('/sagas');
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(page.body.items.map((saga: { orderId: string }) => saga.orderId)).toEqual([
      ids.running,
      ids.declined,
      ids.paid,
    ]);
    expect(page.body.items[1]).toMatchObject({
      orderId: ids.declined,
      status: 'CANCELLED',
      customerId: customer,
      total: 2500,
      reason: 'PAYMENT_DECLINED',
      endedAt: at(3).toISOString(),
      awaiting: [],
    });
    expect((await get(`/sagas/${ids.running}`)).body).toMatchObject({
      customerId: customer,
      total: null,
      reason: null,
      endedAt: null,
      awaiting: ['verifyUser', 'reserveStock'],
    });
  });

  it('searches by the query, every parameter narrowing it, and counts the matches when asked', async () => {
    await three();
    expect(await listed('?status=PENDING')).toEqual([ids.running]);
    expect(await listed('?reason=PAYMENT_DECLINED')).toEqual([ids.declined]);
    expect(await listed(`?customer=${customer}&product=${product}&totalMin=2500&totalMax=2500`)).toEqual([
      ids.declined,
      ids.paid,
    ]);
    expect(await listed(`?customer=${randomUUID()}`)).toEqual([]);
    expect(await listed('?step=reserveStock')).toEqual([ids.running]);
    // Any offset: compared as the store keeps times (12:00:02Z is 13:00:02+01:00).
    expect(await listed('?createdFrom=2025-01-01T13:00:02%2B01:00&createdTo=2025-01-01T12:00:05Z')).toEqual([
      ids.declined,
    ]);
    expect(await listed('?endedFrom=2025-01-01T12:00:03.000Z&endedTo=2025-01-01T12:00:04Z')).toEqual([ids.declined]);

    expect((await get('/sagas?status=CANCELLED')).body).not.toHaveProperty('count');
    expect((await get('/sagas?count=false')).body).not.toHaveProperty('count');
    expect((await get('/sagas?limit=1&count=true')).body).toMatchObject({ count: 3, nextCursor: ids.running });
    expect((await get('/sagas?status=PENDING&count=true')).body).toMatchObject({ count: 1, nextCursor: null });
  });

  it('pages by status as before: the cursor is the last order id of the page', async () => {
    await three();
    const first = await get('/sagas?status=CONFIRMED&limit=1');
    expect(first.body).toMatchObject({ items: [{ orderId: ids.paid }], nextCursor: null });
    expect(await listed('?limit=2')).toEqual([ids.running, ids.declined]);
    expect((await get('/sagas?limit=2')).body.nextCursor).toBe(ids.declined);
    expect(await listed(`?limit=2&cursor=${ids.declined}`)).toEqual([ids.paid]);
  });

  it.each([
    ['step=payTwice', 'step', /verifyUser.*reserveStock.*settlePayment.*commitStock.*releaseStock.*refundPayment/],
    ['reason=BORED', 'reason', /PAYMENT_DECLINED/],
    ['status=DONE', 'status', /PENDING/],
    ['createdFrom=yesterday', 'createdFrom', /./],
    ['endedTo=2025-01-01', 'endedTo', /./],
    ['totalMin=-1', 'totalMin', /./],
    ['totalMax=1.5', 'totalMax', /./],
    ['customer=u1', 'customer', /./],
    ['product=p1', 'product', /./],
    ['count=yes', 'count', /./],
  ])('refuses %s with a 400 naming the parameter', async (query, parameter, message) => {
    const answer = await get(`/sagas?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.details).toEqual([{ path: parameter, message: expect.stringMatching(message) }]);
  });
});
