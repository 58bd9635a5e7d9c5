import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'vitest';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Load, planOrders } from './load';
import { expectInterruptedEnded, killMidFlight, type Kill } from './mid-flight';
import { outcomeCounts, waitAllTerminal } from './settling';
import { setUpShop } from './shop';
import { transports } from '../support/system';
import { Cluster } from './cluster';
import { Cleanup } from './cleanup';
import { Rng, seedFor } from './seed';

/**
 * Deadlines far beyond the test: a message lost by a crash must show up as a saga that never
 * ends (and fail with its trace), not be papered over by a STEP_TIMEOUT cancellation.
 */
const NO_DEADLINES = { SAGA_STEP_TIMEOUTS_MS: '120000' };

describe.each(transports)('kill -9 of the all-in-one process over the %s broker', (transport) => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run(), 60_000);

  it('three kills while 100 orders are in flight: every order ends, nothing lost, nothing doubled', async () => {
    const seed = seedFor(`kill-all-in-one/${transport}`);
    const rng = new Rng(seed);
    const began = Date.now();

    const cluster = await Cluster.start({ mode: 'all-in-one', transport, env: NO_DEADLINES });
    cleanup.add(() => cluster.stop());
    cluster.explainFailure(seed);
    const app = cluster.process('all-in-one');

    // Scarce stock (about half the demand) and a third of the cards declining: compensations happen.
    const shop = await setUpShop(cluster.http, rng, { customers: 6, products: 4, stock: [25, 40] });
    const specs = planOrders(rng, shop, 100, { declined: 0.2, insufficientFunds: 0.1, cancel: 0.08 });
    // Kill points: after a seeded number of orders were accepted, plus a seeded delay.
    const kills = [rng.int(5, 25), rng.int(35, 60), rng.int(70, 90)].map((afterOrders) => ({
      afterOrders,
      delayMs: rng.int(0, 150),
      downMs: rng.int(0, 500),
    }));

    const load = new Load(cluster.http, shop);
    cleanup.add(() => load.abort());
    const placing = load.run(specs, { concurrency: 8, gapMs: () => rng.int(0, 60) });
    placing.catch(() => {}); // awaited below; do not let an early failure go unhandled meanwhile

    const killed: Kill[] = [];
    for (const kill of kills) {
      await load.reached(kill.afterOrders);
      await sleep(kill.delayMs);
      killed.push(await killMidFlight(app, cluster, load, kill.downMs));
    }
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
      `[faults] kill-all-in-one/${transport} seed ${seed}: ${placed.length} orders, ` +
        `${load.posts} POSTs (${load.noAnswers} unanswered, ${load.serverErrors} 5xx, ` +
        `${placed.filter((o) => o.attempts > 1).length} orders retried), ${load.cancels} cancels; ` +
        `kills: ${killed.map((kill) => kill.report).join('; ')}; outcomes ${JSON.stringify(outcomeCounts(views.values()))}; ` +
        `payments ${JSON.stringify(countStatuses(state.payments))}; ` +
        `timings: placed +${placedAt - began} ms, all terminal +${settledAt - began} ms, total ${Date.now() - began} ms`,
    );
  }, 180_000);
});

function countStatuses(rows: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}
