import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message, passesLuhn } from '../../contracts';
import { PlaceOrderBody } from '../../contracts/rest';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { recording, type Published } from '../support/recording-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';

const runs = Number(process.env.CONTRACT_RUNS ?? 60);
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);

/** A card number of 12 to 19 digits that passes the Luhn check: its last digit is chosen to. */
const luhnCard = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 }).map((digits) => {
  const body = digits.join('');
  const check = [...'0123456789'].find((digit) => passesLuhn(body + digit))!;
  return body + check;
});

/**
 * Any valid `POST /orders` body over a given catalogue: products it sells, one it archived and
 * ids it never heard of, each on one line, any quantity the contract allows, any card.
 */
const orderBody = (productIds: string[]) => {
  const line = (productId: fc.Arbitrary<string>) =>
    fc.record({
      productId,
      quantity: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 10_000 })),
    });
  const lines = (productId: fc.Arbitrary<string>, maxLength: number) =>
    fc.uniqueArray(line(productId), { minLength: 1, maxLength, selector: (l) => l.productId });
  return fc.record({
    items: fc.oneof(
      { weight: 4, arbitrary: lines(fc.constantFrom(...productIds), productIds.length) },
      { weight: 1, arbitrary: lines(fc.oneof(fc.constantFrom(...productIds), fc.uuid({ version: 4 })), 100) },
    ),
    payment: fc.record({ cardNumber: fc.oneof(fc.constantFrom(...Object.values(CARDS)), luhnCard) }),
  });
};

describe.each(transports)('what every participant emits, for any valid order, over the %s broker', (transport) => {
  let system: TestSystem;
  let published: Published[];
  beforeAll(async () => {
    system = await startTestSystem(transport, {
      wrapBroker: (broker) => {
        const recorder = recording(broker);
        published = recorder.published;
        return recorder;
      },
    });
  });
  afterAll(() => system.stop());

  it(`validates against its contract, in ${runs} random orders`, { timeout: 300_000 }, async () => {
    const { api } = system;
    const buyer = await api.customer();
    const catalogue = await Promise.all(
      [
        { name: 'Mug', priceCents: 1_250 },
        { name: 'Free sample', priceCents: 0 },
        { name: 'Théière en fonte 鉄瓶 🫖', priceCents: 100_000_000 },
        { name: 'N'.repeat(100), priceCents: 1 },
      ].map((product) => api.createProduct({ ...product, stock: 1_000_000 })),
    );
    const archived = await api.createProduct({ name: 'Old', priceCents: 5, stock: 10 });
    expect((await api.call('DELETE', `/products/${archived.id}`, { token: await api.adminToken() })).status).toBe(204);
    console.log(`message contracts: ${runs} runs, FAULT_SEED=${seed}`);

    await fc.assert(
      fc.asyncProperty(orderBody([...catalogue.map((p) => p.id), archived.id]), async (body) => {
        expect(PlaceOrderBody.safeParse(body).success, 'the generator makes only valid bodies').toBe(true);
        const reply = await api.call('POST', '/orders', {
          token: buyer.token,
          body,
          headers: { 'idempotency-key': randomUUID() },
        });
        expect(reply.status, JSON.stringify(reply.body)).toBe(202);
        await api.settled(buyer.token, reply.body.id);
      }),
      { numRuns: runs, seed },
    );

    await expectInvariants(system);
    const broken = published.flatMap(({ routingKey, payload }) => {
      const parsed = Message.safeParse(JSON.parse(payload));
      if (!parsed.success) return [`${routingKey}: ${parsed.error.message}`];
      return parsed.data.type === routingKey ? [] : [`${parsed.data.type} published as ${routingKey}`];
    });
    expect(broken).toEqual([]);
    const types = new Set(published.map((message) => message.routingKey));
    for (const type of ['StockReserved', 'StockRejected', 'PaymentSettled', 'PaymentDeclined', 'OrderConfirmed'])
      expect(types, `the orders exercised ${type}`).toContain(type);
  });
});
