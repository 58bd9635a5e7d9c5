import { describe, expect, it } from 'vitest';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { withFaults, type FaultPlan, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';

const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);

/**
 * The same orders with and without injected faults end the same way: duplicated, delayed
 * and reordered deliveries and publishes that fail after the outbox commit change nothing.
 */
describe.each(transports)('injected transport faults over the %s broker', (transport) => {
  async function run(plan?: FaultPlan) {
    let faults: FaultyBroker | undefined;
    const system = await startTestSystem(transport, {
      wrapBroker: (broker) => (faults = withFaults(broker, plan ?? { seed })),
    });
    try {
      return { ...(await placeOrders(system)), faults };
    } finally {
      await system.stop();
    }
  }

  async function placeOrders(system: TestSystem) {
    const { api } = system;
    const buyers = await Promise.all([api.customer('A'), api.customer('B')]);
    const scarce = await api.createProduct({ name: 'Scarce', priceCents: 1_000, stock: 3 });
    const plenty = await api.createProduct({ name: 'Plenty', priceCents: 250, stock: 100 });
    // Each order in its own turn, so the outcome does not depend on which order wins the stock.
    const outcomes: string[] = [];
    for (const [i, card] of [
      CARDS.settles,
      CARDS.declined,
      CARDS.settles,
      CARDS.insufficientFunds,
      CARDS.settles,
    ].entries()) {
      const buyer = buyers[i % 2]!;
      const placed = await api.placeOrder(
        buyer.token,
        [
          { productId: scarce.id, quantity: 1 },
          { productId: plenty.id, quantity: i + 1 },
        ],
        card,
      );
      const order = await api.settled(buyer.token, placed.body.id);
      outcomes.push(`${order.status} ${order.reason ?? ''} ${order.totalCents ?? ''}`.trim());
    }
    const state = await expectInvariants(system);
    const stock = [await api.product(scarce.id), await api.product(plenty.id)].map(({ stock, reserved, sold }) => ({
      stock,
      reserved,
      sold,
    }));
    return { outcomes, stock, charged: state.payments.filter((p) => p.status === 'settled').length };
  }

  it('duplicated, delayed, reordered and failed publishes end as a clean run does', async () => {
    const clean = await run();
    const plan: FaultPlan = { seed, duplicate: 0.5, delayMs: [0, 15], failPublish: 0.2 };
    const faulty = await run(plan);
    console.log(`injected faults (${transport}, FAULT_SEED=${seed}):`, JSON.stringify(faulty.faults?.injected));

    expect(faulty.outcomes).toEqual(clean.outcomes);
    expect(faulty.stock).toEqual(clean.stock);
    expect(faulty.charged).toBe(clean.charged);
    expect(clean.outcomes).toEqual([
      'CONFIRMED  1250',
      'CANCELLED PAYMENT_DECLINED',
      'CONFIRMED  1750',
      'CANCELLED PAYMENT_DECLINED',
      'CONFIRMED  2250',
    ]);
    expect(faulty.faults!.injected.duplicated).toBeGreaterThan(0);
    expect(faulty.faults!.injected.failed).toBeGreaterThan(0);
  });
});
