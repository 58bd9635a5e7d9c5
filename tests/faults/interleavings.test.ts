import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageType } from '../../contracts';
import { consumersOf } from '../../contracts/topology';
import { CARDS } from '../support/api';
import { handledAmong } from '../support/end-state';
import { expectInvariants } from '../support/invariants';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, type TestSystem } from '../support/system';
import { possibleOutcomes } from './possible-outcomes';

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

/** Sent for every order the saga starts: a plan that drops one of them drops something. */
const alwaysSent: readonly string[] = ['VerifyUser', 'ReserveStock', 'UserVerified'];

/**
 * One random interleaving: orders for a scarce product, some cancelled, some with the product on
 * two lines (refused), deliveries shuffled and duplicated, and the first one or two messages of
 * some types dropped.
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
      fc.record({ types: fc.subarray([...droppable], { minLength: 1 }), limit: fc.integer({ min: 1, max: 2 }) }),
      { freq: 2 },
    ),
  }),
});

describe('random interleavings of place, cancel and replies over the in-process broker', () => {
  let system: TestSystem;
  let faults: FaultyBroker;
  let buyer: { token: string };
  beforeAll(async () => {
    system = await startTestSystem('in-process', {
      // Short deadlines, so that a dropped message is given up on quickly, yet far above what a
      // step takes here: a step that times out had a message dropped.
      env: { SAGA_STEP_TIMEOUTS_MS: '600' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    buyer = await system.api.customer();
  });
  afterAll(() => system.stop());

  it(
    `ends every order as its plan allows, and keeps the invariants, in every one of ${runs} runs`,
    { timeout: 600_000 },
    async () => {
      const outcomes: Record<string, number> = {};
      /** Duplicates the plans called for: the chance of each times the publishes it applied to. */
      let duplicatesExpected = 0;
      console.log(`interleavings: ${runs} runs, FAULT_SEED=${seed}`);
      await fc.assert(
        fc.asyncProperty(scenario, async ({ stock, orders, faults: { drop, ...plan } }) => {
          const { api } = system;
          faults.replan(drop ? { ...plan, drop } : plan);
          const [publishedBefore, droppedBefore] = [faults.injected.published, faults.dropped.length];
          const product = await api.createProduct({ priceCents: 100, stock });
          const placed = await Promise.all(
            orders.map(async ({ quantity, card, cancelAfterMs, repeated }) => {
              const line = { productId: product.id, quantity };
              const reply = await api.placeOrder(buyer.token, repeated ? [line, line] : [line], card);
              if (repeated) {
                expect(reply.status, JSON.stringify(reply.body)).toBe(400);
                return undefined;
              }
              expect(reply.status, JSON.stringify(reply.body)).toBe(202);
              let cancelAccepted = false;
              if (cancelAfterMs !== undefined) {
                await new Promise((resolve) => setTimeout(resolve, cancelAfterMs));
                const cancel = await api.call('POST', `/orders/${reply.body.id}/cancel`, { token: buyer.token });
                expect([202, 409]).toContain(cancel.status);
                cancelAccepted = cancel.status === 202;
              }
              return { id: reply.body.id, quantity, card, cancelAccepted };
            }),
          );
          const accepted = placed.filter((order) => order !== undefined);
          expect(accepted).toHaveLength(orders.filter((order) => !order.repeated).length);
          const ended = await Promise.all(accepted.map(({ id }) => api.settled(buyer.token, id)));
          await expectInvariants(system);

          // The faults were injected: what was dropped never reached its consumer, and a plan
          // that drops a message every saga sends dropped something.
          const dropped = faults.dropped.slice(droppedBefore).map(({ routingKey, payload }) => ({
            type: routingKey as MessageType,
            ...(JSON.parse(payload) as { messageId: string; correlationId: string }),
          }));
          expect(dropped.length).toBeLessThanOrEqual(drop?.limit ?? 0);
          if (drop?.types.some((type) => alwaysSent.includes(type)) && accepted.length > 0)
            expect(dropped.length, 'dropped under a plan that drops a message every saga sends').toBeGreaterThan(0);
          for (const message of dropped)
            for (const consumer of consumersOf(message.type))
              expect(await handledAmong(system, consumer, [message.messageId]), `dropped ${message.type}`).toEqual([]);
          duplicatesExpected += (faults.injected.published - publishedBefore) * (plan.duplicate ?? 0);

          // Every order ended in a way its plan allows.
          const quantities = accepted.reduce((sum, order) => sum + order.quantity, 0);
          ended.forEach((order, i) => {
            const { quantity, card, cancelAccepted } = accepted[i]!;
            const possible = possibleOutcomes({
              card,
              productId: product.id,
              quantity,
              othersQuantity: quantities - quantity,
              stock,
              cancelAccepted,
              dropped: dropped.filter((message) => message.correlationId === order.id).map((message) => message.type),
            });
            const outcome = { status: order.status, reason: order.reason, detail: order.detail };
            expect(possible, `order ${order.id} ended ${JSON.stringify(outcome)}`).toContainEqual(
              Object.fromEntries(Object.entries(outcome).filter(([, value]) => value !== undefined)),
            );
            const key = `${order.status} ${order.reason ?? ''}`.trim();
            outcomes[key] = (outcomes[key] ?? 0) + 1;
          });
        }),
        { numRuns: runs, seed },
      );
      console.log('interleavings: outcomes', JSON.stringify(outcomes), 'faults', JSON.stringify(faults.injected));
      // Duplicates are drawn by chance: once the plans called for enough, none at all means the
      // injector stopped injecting (the odds of it by chance are below e^-10).
      if (duplicatesExpected >= 10) expect(faults.injected.duplicated).toBeGreaterThan(0);
      expect(faults.injected.delayed).toBe(faults.injected.published);
    },
  );
});
