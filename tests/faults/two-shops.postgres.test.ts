import { afterEach, describe, expect, it } from 'vitest';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Cleanup } from './cleanup';
import { Cluster } from './cluster';
import { Http } from './http';
import { planOrders, type Placed } from './load';
import { Rng, seedFor } from './seed';
import { outcomeCounts, waitAllTerminal } from './settling';
import { expectStatus, setUpShop } from './shop';

/**
 * What `npm start` twice makes of the shop, on one PostgreSQL database and one RabbitMQ: two
 * all-in-one processes, each every service, and a client that may send any request to either.
 * Each order is placed on one and, at once, read, cancelled and traced on the other: nothing
 * a request reads lives in one process's memory.
 */
describe('two all-in-one shops on one database and one broker', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run(), 120_000);

  it('an order placed on one is read, cancelled and traced on the other at once; every saga ends, invariants held', async () => {
    const seed = seedFor('two-shops');
    const rng = new Rng(seed);
    const cluster = await Cluster.start({ mode: 'all-in-one', transport: 'rabbitmq', store: 'postgres', instances: 2 });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const shops = cluster.instancesOf('all-in-one');
    expect(shops.map((app) => app.name)).toEqual(['all-in-one-1', 'all-in-one-2']);
    const [first, second] = shops.map((app) => new Http(() => app.url)) as [Http, Http];

    const shop = await setUpShop(cluster.http, rng, { customers: 4, products: 3, stock: [30, 40] });
    const specs = planOrders(rng, shop, 24, { declined: 0.2, insufficientFunds: 0.1 });
    const placed: Placed[] = [];
    const cancelAnswers = { accepted: 0, ended: 0 };
    for (const spec of specs) {
      const [placing, other] = spec.index % 2 === 0 ? [first, second] : [second, first];
      const customer = shop.customers[spec.customer]!;
      const created = await placing.call('POST', '/orders', {
        token: customer.token,
        body: { items: spec.items, payment: { cardNumber: spec.card } },
        headers: { 'idempotency-key': spec.idempotencyKey },
      });
      expectStatus(created, 202, `POST /orders #${spec.index}`);
      const id: string = created.body.id;

      const read = await other.call('GET', `/orders/${id}`, { token: customer.token });
      expectStatus(read, 200, `GET /orders/${id} on the other shop, right after it was placed`);
      expect(read.body.items, 'the other shop reads the order as placed').toEqual(spec.items);

      // Half the orders are cancelled there too: one may have ended already (409); one whose
      // cancel is accepted never confirms (it ends CANCELLED_BY_CUSTOMER, or by a failure that came first).
      let cancelMaybeSent = false;
      if (spec.index % 4 < 2) {
        const cancel = await other.call('POST', `/orders/${id}/cancel`, { token: customer.token });
        if (cancel.status === 202) cancelAnswers.accepted++;
        else {
          expectStatus(cancel, 409, `cancel of order #${spec.index} on the other shop`);
          cancelAnswers.ended++;
        }
        cancelMaybeSent = cancel.status === 202;
      }
      placed.push({ ...spec, id, attempts: 1, cancelMaybeSent });
    }
    expect(cancelAnswers.accepted, 'cancels accepted on the shop the order was not placed on').toBeGreaterThan(0);

    const views = await waitAllTerminal(cluster.http, shop, placed, cluster.location);
    const state = await expectInvariantsExplained(observed(cluster, shop), { timeoutMs: 60_000 });
    await expectNothingLostOrDoubled(cluster, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER'],
    });
    for (const order of placed.filter((order) => order.cancelMaybeSent))
      expect(views.get(order.id)?.status, `order #${order.index}, whose cancel was accepted`).toBe('CANCELLED');

    // Each trace read on the shop the order was not placed on; together they show both
    // processes at work, since the two take turns on every queue.
    const instances = new Set<string>();
    for (const order of placed) {
      const other = order.index % 2 === 0 ? second : first;
      const trace = await other.call('GET', `/sagas/${order.id}/trace`, { token: shop.adminToken });
      expectStatus(trace, 200, `trace of order #${order.index} on the other shop`);
      expect(trace.body.status, `the trace of order #${order.index} ends as the order`).toBe(
        views.get(order.id)?.status,
      );
      expect(trace.body.messages[0]?.type, `order #${order.index}'s trace begins with its request`).toBe(
        'OrderRequested',
      );
      for (const message of trace.body.messages) if (message.instance) instances.add(message.instance);
    }
    expect([...instances].sort(), 'the processes named in the traces').toEqual(['all-in-one-1', 'all-in-one-2']);

    console.log(
      `[faults] two-shops seed ${seed}: ${placed.length} orders, cancels ${JSON.stringify(cancelAnswers)}, ` +
        `outcomes ${JSON.stringify(outcomeCounts(views.values()))}`,
    );
  }, 240_000);
});
