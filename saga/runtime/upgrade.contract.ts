import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { iso } from '../../db/conformance/open-database';
import type { Database } from '../../db/database';
import type { SagaState } from '../decider/decide';
import type { LaneState } from '../decider/upcast';
import { searchColumns } from './search';
import type { SagaFilter, SagaStore } from './store';

/** A saga row as a release before the search stored it: its state in either shape it had. */
export interface OlderRow {
  orderId: string;
  status: SagaState['status'];
  version: number;
  state: SagaState | LaneState;
  nextDeadlineAt: string | null;
  startedAt: string;
  updatedAt: string;
}

/**
 * Opens a store of the release before the search (its migrations up to `before`), writes `rows`
 * in it as that release did, then opens it again with every migration, as the upgrade does.
 */
export type Upgrade = (
  migrationsBefore: URL,
  rows: readonly OlderRow[],
) => Promise<{ database: Database<SagaStore>; cleanup: () => Promise<void> }>;

/** A copy of a migrations folder whose journal stops before the migration tagged `*_<name>`. */
export function migrationsBefore(migrations: URL, name: string): { folder: URL; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-before-'));
  cpSync(fileURLToPath(migrations), dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const cut = journal.entries.find((entry) => entry.tag.endsWith(`_${name}`));
  if (!cut) throw new Error(`no migration named ${name} in ${fileURLToPath(migrations)}`);
  journal.entries = journal.entries.filter((entry) => entry.idx < cut.idx);
  writeFileSync(journalFile, JSON.stringify(journal));
  return { folder: pathToFileURL(`${dir}/`), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const card = { sealed: 'sealed-card-blob', last4: '4242' };
const line = (productId: string, quantity: number, unitPriceCents: number) => ({
  productId,
  quantity,
  name: productId,
  unitPriceCents,
});
const row = (orderId: string, second: number, updated: number, state: OlderRow['state']): OlderRow => ({
  orderId,
  status: state.status,
  version: 3,
  state,
  nextDeadlineAt: null,
  startedAt: iso(second),
  updatedAt: iso(updated),
});

/** Sagas of the step table and of the lanes before it (saga/decider/upcast.ts), running and ended. */
export const olderRows: OlderRow[] = [
  row('steps-confirmed', 1, 5, {
    orderId: 'steps-confirmed',
    userId: 'u1',
    items: [
      { productId: 'p1', quantity: 2 },
      { productId: 'p2', quantity: 1 },
    ],
    card,
    definition: 1,
    status: 'CONFIRMED',
    steps: { verifyUser: 'succeeded', reserveStock: 'succeeded', settlePayment: 'succeeded', commitStock: 'succeeded' },
    results: {
      reserveStock: { orderId: 'steps-confirmed', lines: [line('p1', 2, 100), line('p2', 1, 50)], totalCents: 250 },
    },
    deadlines: {},
  }),
  row('steps-compensating', 2, 3, {
    orderId: 'steps-compensating',
    userId: 'u2',
    items: [{ productId: 'p2', quantity: 1 }],
    card,
    definition: 1,
    status: 'COMPENSATING',
    steps: {
      verifyUser: 'succeeded',
      reserveStock: 'succeeded',
      settlePayment: 'timed_out',
      releaseStock: 'pending',
      refundPayment: 'pending',
    },
    results: { reserveStock: { orderId: 'steps-compensating', lines: [line('p2', 1, 700)], totalCents: 700 } },
    failure: { reason: 'STEP_TIMEOUT', detail: 'settlePayment' },
    deadlines: { releaseStock: iso(13), refundPayment: iso(13) },
  }),
  row('lanes-running', 3, 4, {
    orderId: 'lanes-running',
    userId: 'u1',
    items: [{ productId: 'p1', quantity: 3 }],
    card,
    status: 'RUNNING',
    user: 'verified',
    stock: 'reserved',
    payment: 'pending',
    priced: { lines: [line('p1', 3, 100)], totalCents: 300 },
    deadlines: { settlePayment: iso(34) },
  }),
  // An older release took a product on two lines: one row of it.
  row('lanes-cancelled', 4, 8, {
    orderId: 'lanes-cancelled',
    userId: 'u2',
    items: [
      { productId: 'p3', quantity: 1 },
      { productId: 'p3', quantity: 2 },
    ],
    card,
    status: 'CANCELLED',
    user: 'verified',
    stock: 'rejected',
    payment: 'not_started',
    failure: { reason: 'OUT_OF_STOCK', detail: 'product p3' },
    deadlines: {},
  }),
  row('lanes-refunding', 5, 6, {
    orderId: 'lanes-refunding',
    userId: 'u1',
    items: [{ productId: 'p3', quantity: 1 }],
    card,
    status: 'COMPENSATING',
    user: 'verified',
    stock: 'releasing',
    payment: 'refunding',
    priced: { lines: [line('p3', 1, 4000)], totalCents: 4000 },
    failure: { reason: 'CANCELLED_BY_CUSTOMER' },
    deadlines: {},
  }),
];

/** The steps named in an `awaiting` column, in any order. */
const stepsIn = (awaiting: string | null) => (awaiting ?? '').split(',').filter(Boolean).sort();

/** What the upgrade makes of a store an older release wrote: every saga searchable, as if saved today. */
export function sagaUpgradeContract(name: string, upgrade: Upgrade, migrations: URL): void {
  describe(`${name}: a saga store of the release before the search, upgraded`, () => {
    let cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      cleanups = [];
    });
    async function upgraded() {
      const before = migrationsBefore(migrations, 'saga_search');
      cleanups.push(before.remove);
      const { database, cleanup } = await upgrade(before.folder, olderRows);
      cleanups.push(cleanup);
      return database;
    }

    it('has each saga’s columns read off its state, as a save today writes them, ended when last saved', async () => {
      const database = await upgraded();
      for (const older of olderRows) {
        const saved = (await database.read((store) => store.findSaga(older.orderId)))!;
        const expected = searchColumns(saved.state, saved.updatedAt);
        expect({ ...expected, awaiting: stepsIn(expected.awaiting) }, older.orderId).toEqual({
          customerId: saved.customerId,
          totalCents: saved.totalCents,
          reason: saved.reason,
          endedAt: saved.endedAt,
          awaiting: stepsIn(saved.awaiting),
        });
      }
      const found = (orderId: string) => database.read((store) => store.findSaga(orderId));
      // A saga saved before the tracestate was kept has none.
      expect(await found('steps-confirmed')).toMatchObject({
        totalCents: 250,
        endedAt: iso(5),
        awaiting: null,
        tracestate: null,
      });
      expect(await found('lanes-running')).toMatchObject({
        customerId: 'u1',
        totalCents: 300,
        endedAt: null,
        awaiting: ',settlePayment,',
      });
    });

    it('finds the older sagas by every filter, beside those saved since', async () => {
      const database = await upgraded();
      await database.transaction(async (store) => {
        const { state } = (await store.findSaga('lanes-running'))!;
        await store.saveSaga({ ...state, orderId: 'today', userId: 'u3' }, null, undefined, new Date(iso(9)));
      });
      const list = async (filter: SagaFilter) =>
        (await database.read((store) => store.listSagas(filter, 10))).map((saga) => saga.orderId);
      expect(await list({ product: 'p1' })).toEqual(['today', 'lanes-running', 'steps-confirmed']);
      expect(await list({ product: 'p3' })).toEqual(['lanes-refunding', 'lanes-cancelled']);
      expect(await list({ customer: 'u2' })).toEqual(['lanes-cancelled', 'steps-compensating']);
      expect(await list({ status: 'PENDING' })).toEqual([
        'today',
        'lanes-refunding',
        'lanes-running',
        'steps-compensating',
      ]);
      expect(await list({ step: 'refundPayment' })).toEqual(['lanes-refunding', 'steps-compensating']);
      expect(await list({ reason: 'OUT_OF_STOCK' })).toEqual(['lanes-cancelled']);
      expect(await list({ endedFrom: iso(0) })).toEqual(['lanes-cancelled', 'steps-confirmed']);
      expect(await list({ totalMin: 300, totalMax: 700 })).toEqual(['today', 'lanes-running', 'steps-compensating']);
      expect(await database.read((store) => store.countSagas({ totalMin: 0 }))).toBe(5);
    });
  });
}
