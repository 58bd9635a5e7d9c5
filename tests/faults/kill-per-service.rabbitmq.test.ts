import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readEndState } from '../support/end-state';
import { waitFor } from '../../lib/wait';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { describeOrders } from './diagnose';
import { Load, planOrders, type Placed } from './load';
import { expectInterruptedEnded, killMidFlight, type Kill } from './mid-flight';
import { outcomeCounts, waitAllTerminal } from './settling';
import { CARDS, setUpShop, settles } from './shop';
import { Cluster, perServiceNames } from './cluster';
import { Cleanup } from './cleanup';
import { Rng, seedFor } from './seed';

describe('one process per service over RabbitMQ', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run(), 60_000);

  it('each service killed with SIGKILL in turn mid-load and restarted: every saga ends, invariants hold', async () => {
    const seed = seedFor('kill-per-service');
    const rng = new Rng(seed);
    const began = Date.now();

    // Deadlines beyond the test: a lost message must show as a saga that never ends, not a STEP_TIMEOUT.
    const cluster = await Cluster.start({
      mode: 'per-service',
      transport: 'rabbitmq',
      env: { SAGA_STEP_TIMEOUTS_MS: '120000' },
    });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const startedAt = Date.now();

    const shop = await setUpShop(cluster.http, rng, { customers: 6, products: 4, stock: [25, 40] });
    // More than the kills need, on a quiet machine: the load ends once the last kill is done, so
    // a kill that missed (the orders between sagas) and was tried again never runs out of orders.
    const specs = planOrders(rng, shop, 400, { declined: 0.2, insufficientFunds: 0.1, cancel: 0.06 });
    // The first kill after a few orders, each next one a little after the previous service is
    // back: the five kills and restarts (about 4 s each) fit inside the paced load (about 25 s).
    const victims = rng.shuffle(perServiceNames).map((service, i) => ({
      service,
      afterOrders: i === 0 ? rng.int(4, 12) : 0,
      delayMs: rng.int(100, 600),
      downMs: rng.int(100, 700),
    }));

    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    const placing = load.run(specs, { concurrency: 6, gapMs: () => rng.int(150, 300) });
    placing.catch(() => {});

    const killed: Kill[] = [];
    for (const victim of victims) {
      await load.reached(victim.afterOrders);
      await sleep(victim.delayMs);
      killed.push(await killMidFlight(cluster.process(victim.service), cluster, load, victim.downMs));
    }
    load.finish();
    const placed = await placing;
    const placedAt = Date.now();

    const views = await waitAllTerminal(cluster.http, shop, placed, cluster.location);
    const settledAt = Date.now();
    const state = await expectInvariantsExplained(observed(cluster, shop));
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });
    expectInterruptedEnded(state, placed, killed);

    console.log(
      `[faults] kill-per-service seed ${seed}: ${placed.length} orders, ${load.posts} POSTs ` +
        `(${load.noAnswers} unanswered, ${load.serverErrors} 5xx), ${load.cancels} cancels; killed in turn: ${killed.map((kill) => kill.report).join('; ')}; ` +
        `outcomes ${JSON.stringify(outcomeCounts(views.values()))}; timings: cluster up +${startedAt - began} ms, ` +
        `placed +${placedAt - began} ms, all terminal +${settledAt - began} ms, total ${Date.now() - began} ms`,
    );
  }, 240_000);

  it('payments down past its deadline: stock released, orders wait for the refund; payments back: charged, refunded, STEP_TIMEOUT', async () => {
    const seed = seedFor('payments-past-deadline');
    const rng = new Rng(seed);
    const began = Date.now();
    const cluster = await Cluster.start({
      mode: 'per-service',
      transport: 'rabbitmq',
      serviceEnv: { orchestrator: { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=1500' } },
    });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    // Plenty of stock: every order reaches the payment step.
    const shop = await setUpShop(cluster.http, rng, { customers: 3, products: 3, stock: [500, 600] });
    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());

    // With payments up, orders settle well inside the deadline.
    const before = await load.run(planOrders(rng, shop, 5, { declined: 0, insufficientFunds: 0 }), { concurrency: 5 });
    const beforeViews = await waitAllTerminal(cluster.http, shop, before, cluster.location);
    expect([...beforeViews.values()].map((o) => o.status)).toEqual(before.map(() => 'CONFIRMED'));

    const payments = cluster.process('payments');
    await payments.kill();
    const killedAt = Date.now();
    // Some cards would decline: their late answer must change nothing.
    const during = await load.run(planOrders(rng, shop, 12, { declined: 0.25, insufficientFunds: 0 }), {
      concurrency: 6,
      gapMs: () => rng.int(0, 50),
    });
    // The charges may have happened: each saga refunds its charge before it cancels, so it
    // waits for payments, with the stock already released.
    const duringIds = new Set(during.map((order) => order.id));
    await waitFor(
      async () => {
        const state = await readEndState(cluster);
        const waiting = state.sagas.filter((saga) => duringIds.has(saga.order_id) && saga.status === 'COMPENSATING');
        return waiting.length === during.length && state.products.every((product) => product.reserved === 0);
      },
      { timeoutMs: 30_000, what: 'every saga to time out the payment, release its stock and wait for the refund' },
    );
    const timedOutAt = Date.now();
    const whileDown = await readEndState(cluster);
    expect(
      whileDown.orders.filter((order) => duringIds.has(order.id)).map((order) => order.status),
      'orders wait for the refund',
    ).toEqual(during.map(() => 'PENDING'));
    expect(whileDown.sagas.filter((saga) => duringIds.has(saga.order_id))).toEqual(
      during.map(() => expect.objectContaining({ reason: 'STEP_TIMEOUT', detail: 'settlePayment' })),
    );
    // Nobody has been charged: payments never ran.
    expect(whileDown.payments.filter((p) => duringIds.has(p.order_id))).toEqual([]);

    // Payments back: it handles the SettlePayment commands that waited in its queue, then their refunds.
    await payments.start();
    const backAt = Date.now();
    const late = (orders: readonly Placed[]) => orders.filter((order) => settles(order.card));
    await waitFor(
      async () => {
        const state = await readEndState(cluster);
        return during.every((order) => {
          const payment = state.payments.find((p) => p.order_id === order.id);
          return settles(order.card) ? payment?.status === 'refunded' : payment?.status === 'declined';
        });
      },
      { timeoutMs: 30_000, what: 'every late settlement to be refunded (and every late decline recorded)' },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await describeOrders(cluster, [...duringIds])}`);
    });
    const refundedAt = Date.now();

    const state = await expectInvariantsExplained(observed(cluster, shop));
    const views = await waitAllTerminal(cluster.http, shop, [...before, ...during], cluster.location);
    await expectNothingLostOrDoubled(cluster, state, shop, [...before, ...during], views, {
      allowedReasons: ['STEP_TIMEOUT'],
    });
    for (const order of during) {
      // Still cancelled for the timeout; a settled-then-refunded payment says so in the history.
      expect(views.get(order.id), `order #${order.index} after payments came back`).toMatchObject({
        status: 'CANCELLED',
        reason: 'STEP_TIMEOUT',
        detail: 'settlePayment',
      });
      const payment = state.payments.find((p) => p.order_id === order.id)!;
      expect(payment.status, `payment of order #${order.index} (card ${order.card})`).toBe(
        order.card === CARDS.settles ? 'refunded' : 'declined',
      );
    }
    // The orders service hears of each refund too, as a note on the order's history.
    await waitFor(
      async () => {
        const histories = await Promise.all(
          late(during).map(async (order) => {
            const reply = await cluster.http.call('GET', `/orders/${order.id}`, {
              token: shop.customers[order.customer]!.token,
            });
            return (reply.body?.history ?? []) as { status: string; detail?: string }[];
          }),
        );
        return histories.every((entries) => entries.some((entry) => entry.detail?.includes('refunded')));
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "every late refund to be noted on its order's history" },
    );

    console.log(
      `[faults] payments-past-deadline seed ${seed}: ${before.length} orders before, ${during.length} while payments was down ` +
        `(${late(during).length} settled late and refunded, ${during.length - late(during).length} declined late); ` +
        `timings: down→all compensating ${timedOutAt - killedAt} ms, back→all refunded ${refundedAt - backAt} ms ` +
        `(start ${payments.startupMs.at(-1)} ms), total ${Date.now() - began} ms`,
    );
  }, 180_000);
});
