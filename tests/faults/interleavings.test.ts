import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, type TestSystem } from '../support/system';

const runs = Number(process.env.INTERLEAVINGS ?? 200);
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);

/** The messages whose loss the saga's deadlines cover: every command to a participant and every answer. */
const droppable = [
  'VerifyUser',
  'UserVerified',
  'UserRejected',
  'ReserveStock',
  'StockReserved',
  'StockRejected',
  'SettlePayment',
  'PaymentSettled',
  'PaymentDeclined',
  'CommitStock',
  'StockCommitted',
  'ReleaseStock',
  'StockReleased',
  'RefundPayment',
  'PaymentRefunded',
] as const;

/**
 * One random interleaving: orders for a scarce product, some cancelled, some with the product on
 * two lines (refused), deliveries shuffled, duplicated and now and then dropped.
 */
const scenario = fc.record({
  stock: fc.integer({ min: 0, max: 8 }),
  orders: fc.array(
    fc.record({
      quantity: fc.integer({ min: 1, max: 2 }),
      /** The same product on a second line: a 400, and nothing happens. */
      repeated: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      card: fc.constantFrom(CARDS.settles, CARDS.settles, CARDS.declined, CARDS.insufficientFunds),
      /** When the customer cancels, if at all: before, while or after the saga runs. */
      cancelAfterMs: fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 150 }) },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  faults: fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    duplicate: fc.double({ min: 0, max: 0.5, noNaN: true }),
    delayMs: fc.tuple(fc.constant(0), fc.integer({ min: 0, max: 15 })),
    drop: fc.option(
      fc.record({
        types: fc.subarray([...droppable], { minLength: 1 }),
        chance: fc.double({ min: 0, max: 0.3, noNaN: true }),
      }),
      { freq: 3 },
    ),
  }),
});

describe('random interleavings of place, cancel and replies over the in-process broker', () => {
  let system: TestSystem;
  let faults: FaultyBroker;
  let buyer: { token: string };
  beforeAll(async () => {
    system = await startTestSystem('in-process', {
      // Short deadlines, so that a dropped message is given up on quickly; some time out merely late.
      env: { SAGA_STEP_TIMEOUTS_MS: '400' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    buyer = await system.api.customer();
  });
  afterAll(() => system.stop());

  it(`keeps the invariants in every one of ${runs} runs`, { timeout: 600_000 }, async () => {
    const outcomes: Record<string, number> = {};
    console.log(`interleavings: ${runs} runs, FAULT_SEED=${seed}`);
    await fc.assert(
      fc.asyncProperty(scenario, async ({ stock, orders, faults: { drop, ...plan } }) => {
        const { api } = system;
        faults.replan(drop ? { ...plan, drop } : plan);
        const product = await api.createProduct({ priceCents: 100, stock });
        const accepted = orders.filter((order) => !order.repeated);
        const placed = await Promise.all(
          orders.map(async ({ quantity, card, cancelAfterMs, repeated }) => {
            const line = { productId: product.id, quantity };
            const reply = await api.placeOrder(buyer.token, repeated ? [line, line] : [line], card);
            if (repeated) {
              expect(reply.status, JSON.stringify(reply.body)).toBe(400);
              return undefined;
            }
            expect(reply.status, JSON.stringify(reply.body)).toBe(202);
            if (cancelAfterMs !== undefined) {
              await new Promise((resolve) => setTimeout(resolve, cancelAfterMs));
              const cancel = await api.call('POST', `/orders/${reply.body.id}/cancel`, { token: buyer.token });
              expect([202, 409]).toContain(cancel.status);
            }
            return reply.body.id;
          }),
        );
        const ids = placed.filter((id): id is string => id !== undefined);
        expect(ids).toHaveLength(accepted.length);
        const ended = await Promise.all(ids.map((id) => api.settled(buyer.token, id)));
        for (const order of ended) {
          const key = `${order.status} ${order.reason ?? ''}`.trim();
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }
        // Only customers cancel what they asked to cancel.
        ended.forEach((order, i) => {
          if (order.reason === 'CANCELLED_BY_CUSTOMER') expect(accepted[i]!.cancelAfterMs).toBeDefined();
        });
        await expectInvariants(system);
      }),
      { numRuns: runs, seed },
    );
    console.log('interleavings: outcomes', JSON.stringify(outcomes), 'faults', JSON.stringify(faults.injected));
  });
});
