import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { CARDS } from '../support/api';
import { duplicating } from '../support/duplicating-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

describe.each(transports)('at-least-once delivery over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('every message delivered twice ends as if delivered once', async () => {
    system = await startTestSystem(transport, { wrapBroker: duplicating });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 300, stock: 10 });

    const confirmed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 3 }]);
    const declined = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }], CARDS.declined);
    expect(await api.settled(buyer.token, confirmed.body.id)).toMatchObject({ status: 'CONFIRMED', totalCents: 900 });
    expect(await api.settled(buyer.token, declined.body.id)).toMatchObject({
      status: 'CANCELLED',
      reason: 'PAYMENT_DECLINED',
    });

    const state = await expectInvariants(system);
    expect(await api.product(mug.id)).toMatchObject({ stock: 7, reserved: 0, sold: 3 });
    expect(state.payments.filter((p) => p.status === 'settled')).toHaveLength(1);
    expect(state.invoices).toHaveLength(1);
    expect(state.history.filter((h) => h.order_id === confirmed.body.id).map((h) => h.status)).toEqual([
      'PENDING',
      'CONFIRMED',
    ]);
    // The orchestrator took each message once: its copy never reached the decider.
    for (const orderId of [confirmed.body.id, declined.body.id]) {
      const received = (await api.trace(orderId)).filter((m) => m.direction === 'in').map((m) => m.messageId);
      expect(received.length).toBeGreaterThan(0);
      expect(received, `messages of order ${orderId} the orchestrator traced`).toEqual([...new Set(received)]);
    }
  });

  it('dead-letters a message that fails its schema with the reason, and handles the next one', async () => {
    system = await startTestSystem(transport);
    const { api, broker } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 300, stock: 10 });

    const orderId = randomUUID();
    const forged = envelope(
      { type: 'VerifyUser', data: { orderId, userId: buyer.id } },
      { producer: 'orchestrator', correlationId: orderId, causationId: null },
    );
    await broker.publish('VerifyUser', JSON.stringify({ ...forged, data: { orderId } }));
    await broker.publish('ReserveStock', '{not json');

    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    expect(await api.settled(buyer.token, placed.body.id)).toMatchObject({ status: 'CONFIRMED' });

    await waitFor(async () => (await broker.deadLetters('users')).length === 1, { what: 'the users dead letter' });
    await waitFor(async () => (await broker.deadLetters('products')).length === 1, {
      what: 'the products dead letter',
    });
    const [userLetter] = await broker.deadLetters('users');
    expect(userLetter).toMatchObject({ queue: 'users', routingKey: 'VerifyUser' });
    expect(userLetter!.reason).toMatch(/schema/);
    expect(userLetter!.reason).toMatch(/userId/);
    expect(JSON.parse(userLetter!.payload).messageId).toBe(forged.messageId);
    const [productLetter] = await broker.deadLetters('products');
    expect(productLetter!.reason).toBe('payload is not JSON');

    await expectInvariants(system, { deadLettered: { users: 1, products: 1 } });
  });
});
