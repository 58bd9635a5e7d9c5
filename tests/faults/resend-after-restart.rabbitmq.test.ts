import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Load, type OrderSpec } from './load';
import { waitAllTerminal } from './settling';
import { CARDS, setUpShop } from './shop';
import { Cluster } from './cluster';
import { Cleanup } from './cleanup';
import { Rng, seedFor } from './seed';
import { rows, type Where } from './stores';
import type { DatabaseService } from '../../db/locations';

/** The first row `sql` selects from `service`'s store, on either store. */
const one = async <T>(
  where: Where,
  service: DatabaseService,
  sql: (table: (name: string) => string) => string,
  ...params: unknown[]
) => (await rows<T>(where, service, sql, ...params))[0];

/**
 * The orchestrator sends every awaited command again when it starts (saga/runner.ts
 * resendAfterRestart), with a new message id. Participants must answer a resent command as
 * they answered the first one. This pins the window the random kill tests hit only now and
 * then: products rejected a reservation while the orchestrator was down, stock came back
 * before the resend arrived, and the resend must not reserve for an order whose saga is
 * about to take the rejection.
 */
describe('a command resent after an orchestrator restart (one process per service, RabbitMQ)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run(), 60_000);

  it('a stock rejection given while the orchestrator was down stays a rejection: nothing stays reserved', async () => {
    const seed = seedFor('resend-after-restart');
    const rng = new Rng(seed);
    const cluster = await Cluster.start({
      mode: 'per-service',
      transport: 'rabbitmq',
      env: { SAGA_STEP_TIMEOUTS_MS: '120000' },
    });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const { http } = cluster;
    const shop = await setUpShop(http, rng, { customers: 1, products: 1, stock: [1, 1] });
    const product = shop.catalogue[0]!;
    const load = new Load(http, shop);
    cleanup.add(() => load.abort());

    // 1. Products is down: both orders wait for their reservation.
    await cluster.process('products').kill();
    const specs: OrderSpec[] = ['A', 'B'].map((name, index) => ({
      index,
      idempotencyKey: `resend-${name}-${seed}-${Date.now()}`,
      customer: 0,
      items: [{ productId: product.id, quantity: 1 }],
      card: CARDS.settles,
    }));
    const placed = await load.run(specs, { concurrency: 1 });
    const [a, b] = placed as [(typeof placed)[0], (typeof placed)[0]];
    const stockStep = (orderId: string) =>
      one<{ state: string }>(
        cluster,
        'orchestrator',
        (t) => `SELECT state FROM ${t('sagas')} WHERE order_id = ?`,
        orderId,
      );
    // …and both ReserveStock commands have left the orchestrator's outbox for products' queue.
    await waitFor(
      async () => {
        const steps = await Promise.all(
          [a, b].map(async (o) => JSON.parse((await stockStep(o.id))?.state ?? '{}').steps?.reserveStock),
        );
        const left = (await one<{ n: number }>(
          cluster,
          'orchestrator',
          (t) => `SELECT count(*) AS n FROM ${t('outbox')}`,
        ))!.n;
        return steps.every((step) => step === 'pending') && left === 0;
      },
      { what: 'both sagas to have asked for their reservation' },
    );

    // 2. The orchestrator dies; products comes back and answers: one reserved, the other rejected
    //    (the one unit goes to whichever it took first: on PostgreSQL it takes both side by side).
    await cluster.process('orchestrator').kill();
    await cluster.process('products').start();
    await waitFor(
      async () =>
        (await one<{ n: number }>(
          cluster,
          'products',
          (t) => `SELECT count(*) AS n FROM ${t('inbox')} WHERE type = 'ReserveStock'`,
        ))!.n === 2 &&
        (await one<{ n: number }>(cluster, 'products', (t) => `SELECT count(*) AS n FROM ${t('outbox')}`))!.n === 0,
      { what: 'products to answer both reservations' },
    );
    const reservation = (orderId: string) =>
      one(cluster, 'products', (t) => `SELECT status FROM ${t('reservations')} WHERE order_id = ?`, orderId);
    const [won, lost] = (await reservation(a.id)) ? [a, b] : [b, a];
    expect(await reservation(won.id)).toEqual({ status: 'reserved' });
    expect(await reservation(lost.id)).toBeUndefined();

    // 3. An admin restocks one unit while the orchestrator is still down.
    const restock = await http.retrying('POST', `/products/${product.id}/restock`, {
      token: shop.adminToken,
      body: { quantity: 1 },
    });
    expect(restock.status).toBe(200);

    // 4. The orchestrator starts: it resends ReserveStock for both, then reads the reservation and the rejection.
    await cluster.process('orchestrator').start();
    const views = await waitAllTerminal(http, shop, placed, { ...cluster.location, timeoutMs: 30_000 });
    expect(views.get(won.id)?.status).toBe('CONFIRMED');
    expect(views.get(lost.id)).toMatchObject({ status: 'CANCELLED', reason: 'OUT_OF_STOCK' });

    // The rejected order's resend must not leave a unit reserved for a cancelled order.
    const state = await expectInvariantsExplained(observed(cluster, shop, { [product.id]: 1 }));
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, { allowedReasons: ['OUT_OF_STOCK'] });
  }, 120_000);
});
