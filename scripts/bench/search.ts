import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../db/sqlite';
import type { SagaFilter, SagaStore } from '../../saga/runtime/store';
import { sagaSqlite } from '../../saga/runtime/sqlite/store';
import { clearStatus, printTable, status } from './report';
import { populate, type Population } from './saga-population';

/** Times each query is run; the median is printed. */
const RUNS = 7;
const PAGE = 20;
const DAY_MS = 86_400_000;

/**
 * `npm run bench -- --search`: the saga search (`GET /sagas`) on a SQLite saga store of
 * `--sagas` sagas (a million by default), written straight into a fresh store: for each filter,
 * alone and combined, how long its first page takes (what the route asks: a page and one more
 * row) and its count, the median of seven runs.
 */
export async function runSearch({ sagas }: { sagas: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
  const file = join(dir, 'orchestrator.db');
  const database = openSqlite(file, sagaSqlite);
  try {
    const began = performance.now();
    const population = populate(database.client, database.db, sagas, (done) =>
      status(`search: ${done}/${sagas} sagas stored`),
    );
    const storedSeconds = (performance.now() - began) / 1000;
    database.client.pragma('wal_checkpoint(TRUNCATE)');
    const rows = [['search', 'matches', 'first page ms', 'count ms']];
    for (const { name, filter, after } of await searches(database.store, population)) {
      status(`search: ${name}`);
      const page = median(await timed(() => database.store.listSagas(filter, PAGE + 1, after)));
      const counted = median(await timed(() => database.store.countSagas(filter)));
      rows.push([name, String(await database.store.countSagas(filter)), page.toFixed(2), counted.toFixed(2)]);
    }
    clearStatus();
    console.log(
      `${sagas} sagas stored in ${storedSeconds.toFixed(0)} s; ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB; ` +
        `median of ${RUNS} runs, a page of ${PAGE}`,
    );
    printTable(rows);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each filter alone, then some together, on ids and times the population has; and a page deep down the list. */
async function searches(
  store: SagaStore,
  { start, end, customers, products }: Population,
): Promise<{ name: string; filter: SagaFilter; after?: string }[]> {
  const at = (ms: number) => new Date(ms).toISOString();
  const middle = start + (end - start) / 2;
  const day = { from: at(middle), to: at(middle + DAY_MS) };
  const [halfWay] = await store.listSagas({ createdTo: day.from }, 1);
  const filters: [string, SagaFilter][] = [
    ['every saga', {}],
    ['status CONFIRMED', { status: 'CONFIRMED' }],
    ['status CANCELLED', { status: 'CANCELLED' }],
    ['status RUNNING', { status: 'RUNNING' }],
    ['status PENDING', { status: 'PENDING' }],
    ['reason PAYMENT_DECLINED', { reason: 'PAYMENT_DECLINED' }],
    ['reason CANCELLED_BY_OPERATOR', { reason: 'CANCELLED_BY_OPERATOR' }],
    ['customer, the busiest', { customer: customers.heavy }],
    ['customer, one of few orders', { customer: customers.light }],
    ['product, the most sold', { product: products.popular }],
    ['product, one rarely sold', { product: products.rare }],
    ['step settlePayment awaited', { step: 'settlePayment' }],
    ['step refundPayment awaited', { step: 'refundPayment' }],
    ['created, the last day', { createdFrom: at(end - DAY_MS), createdTo: at(end) }],
    ['created, a day mid-year', { createdFrom: day.from, createdTo: day.to }],
    ['ended, the last day', { endedFrom: at(end - DAY_MS) }],
    ['ended before mid-year', { endedTo: day.from }],
    ['ended, a day mid-year', { endedFrom: day.from, endedTo: day.to }],
    ['ended, a month mid-year', { endedFrom: day.from, endedTo: at(middle + 30 * DAY_MS) }],
    ['ended after the last start (none)', { endedFrom: at(end) }],
    ['total ≥ 500.00', { totalMin: 50_000 }],
    ['total ≤ 5.00', { totalMax: 500 }],
    ['total 20.00 to 20.99', { totalMin: 2_000, totalMax: 2_099 }],
    ['total ≥ 100 000.00 (none)', { totalMin: 10_000_000 }],
    ['customer + CANCELLED', { customer: customers.heavy, status: 'CANCELLED' }],
    ['product + OUT_OF_STOCK', { product: products.popular, reason: 'OUT_OF_STOCK' }],
    ['CANCELLED + created a day', { status: 'CANCELLED', createdFrom: day.from, createdTo: day.to }],
    ['PAYMENT_DECLINED + total ≥ 100.00', { reason: 'PAYMENT_DECLINED', totalMin: 10_000 }],
    ['PENDING + step settlePayment', { status: 'PENDING', step: 'settlePayment' }],
  ];
  return [
    ...filters.map(([name, filter]) => ({ name, filter })),
    { name: 'every saga, the page after mid-year', filter: {}, after: halfWay!.orderId },
  ];
}

async function timed(work: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const began = performance.now();
    await work();
    ms.push(performance.now() - began);
  }
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
