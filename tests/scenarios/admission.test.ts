import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

describe.each(transports)('admission control over the %s broker', (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  afterEach(() => system.stop());

  it('refuses new orders with 503 and Retry-After while MAX_PENDING_ORDERS are pending, says so in /health, and takes them again once they settle', async () => {
    system = await startTestSystem(transport, {
      env: { MAX_PENDING_ORDERS: '3' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 100, stock: 10 });
    const line = [{ productId: mug.id, quantity: 1 }];
    // The orchestrator is held back: every accepted order stays PENDING.
    faults.pause('orchestrator');

    const accepted = [];
    for (let i = 0; i < 3; i++) {
      const reply = await api.placeOrder(buyer.token, line, undefined, { 'Idempotency-Key': `order-${i}` });
      expect(reply.status).toBe(202);
      accepted.push(reply.body.id);
    }
    const shed = await api.placeOrder(buyer.token, line);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.body).toMatchObject({ error: { code: 'overloaded', message: expect.stringContaining('3 orders') } });
    // A retried POST of an accepted order still answers that order.
    const again = await api.placeOrder(buyer.token, line, undefined, { 'Idempotency-Key': 'order-0' });
    expect(again).toMatchObject({ status: 202, body: { id: accepted[0] } });

    const health = await api.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.checks.services.orders.admission).toEqual({ status: 'shedding', pending: 3, limit: 3 });

    faults.resume('orchestrator');
    for (const id of accepted) expect((await api.settled(buyer.token, id)).status).toBe('CONFIRMED');
    const after = await api.placeOrder(buyer.token, line);
    expect(after.status).toBe(202);
    await api.settled(buyer.token, after.body.id);
    // /health goes on saying shedding for a second after the last refusal, then accepting.
    await waitFor(
      async () => (await api.call('GET', '/health')).body.checks.services.orders.admission.status === 'accepting',
      {
        what: '/health to say accepting again',
        intervalMs: 100,
        timeoutMs: 5_000,
      },
    );
    expect((await api.call('GET', '/health')).body.checks.services.orders.admission).toEqual({
      status: 'accepting',
      pending: 0,
      limit: 3,
    });
    const state = await expectInvariants(system);
    expect(state.orders).toHaveLength(4);
  });

  it('answers a burst of orders placed at once each as if alone: the refused ones undo none of the accepted', async () => {
    system = await startTestSystem(transport, {
      env: { MAX_PENDING_ORDERS: '5' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 100, stock: 20 });
    const line = (quantity: number) => [{ productId: mug.id, quantity }];
    faults.pause('orchestrator');

    // Placed together, so that they share a transaction: two under one key with the same
    // body, one under it with another body, and more than MAX_PENDING_ORDERS in all.
    const burst = await Promise.all([
      api.placeOrder(buyer.token, line(1), undefined, { 'Idempotency-Key': 'same' }),
      api.placeOrder(buyer.token, line(1), undefined, { 'Idempotency-Key': 'same' }),
      api.placeOrder(buyer.token, line(2), undefined, { 'Idempotency-Key': 'same' }),
      ...Array.from({ length: 8 }, () => api.placeOrder(buyer.token, line(1))),
    ]);
    const keyed = burst.slice(0, 3);
    const rest = burst.slice(3);
    // Whichever body came first owns the key; the same body again answers its order, the other a 409.
    const owner = keyed.find((reply) => reply.status === 202)!;
    for (const [i, reply] of keyed.entries()) {
      const sameBody = (i === 2) === (owner === keyed[2]);
      if (sameBody) expect(reply).toMatchObject({ status: 202, body: { id: owner.body.id } });
      else expect(reply).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    }
    // The keyed order is one of the five pending; four more get in, the other four are shed.
    expect(rest.map((reply) => reply.status).sort()).toEqual([202, 202, 202, 202, 503, 503, 503, 503]);

    faults.resume('orchestrator');
    const accepted = [owner, ...rest.filter((reply) => reply.status === 202)].map((reply) => reply.body.id);
    for (const id of accepted) expect((await api.settled(buyer.token, id)).status).toBe('CONFIRMED');
    const state = await expectInvariants(system);
    expect(state.orders.map((order) => order.id).sort()).toEqual([...accepted].sort());
    // The key's order holds one mug or two, as its body does; the four others one each.
    const sold = (owner === keyed[2] ? 2 : 1) + 4;
    expect(await api.product(mug.id)).toMatchObject({ stock: 20 - sold, sold });
  });
});
