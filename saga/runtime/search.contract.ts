import { describe, expect, it } from 'vitest';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { SagaState } from '../decider/decide';
import type { SagaFilter, SagaStore } from './store';
import { ids, sagaStoreOf, state } from './store.fixtures';

/** How the orchestrator's store finds sagas by what they are about, on either database. */
export function sagaSearchContract(name: string, makeDatabase: DatabaseFactory<SagaStore>): void {
  describe(`${name}: the saga search contract`, () => {
    const { tx, find } = sagaStoreOf(freshDatabaseEachTest(makeDatabase));

    const priced = (...lines: [productId: string, quantity: number, unitPriceCents: number][]) => ({
      reserveStock: {
        orderId: 'any',
        lines: lines.map(([productId, quantity, unitPriceCents]) => ({
          productId,
          quantity,
          name: 'x',
          unitPriceCents,
        })),
        totalCents: 0, // not what the total is read from: the lines are
      },
    });
    /** Starts a saga at `second` as `started`, then saves it as `now` at `savedAt` (by default the same second). */
    async function saga(
      orderId: string,
      second: number,
      started: Partial<SagaState>,
      now?: Partial<SagaState>,
      savedAt = second,
    ) {
      await tx((store) => store.saveSaga(state(orderId, started), null, undefined, at(second)));
      if (now) await tx((store) => store.saveSaga(state(orderId, { ...started, ...now }), null, 1, at(savedAt)));
    }
    const done = { verifyUser: 'succeeded', reserveStock: 'succeeded', settlePayment: 'succeeded' } as const;
    /**
     * Six sagas of two customers over three products (a4 and a5 started at the same second):
     * confirmed, cancelled before or after the stock was priced, compensating, running.
     */
    async function six() {
      await saga(
        'a1',
        1,
        {
          userId: 'c1',
          items: [
            { productId: 'p1', quantity: 2 },
            { productId: 'p2', quantity: 1 },
          ],
        },
        {
          status: 'CONFIRMED',
          steps: { ...done, commitStock: 'succeeded' },
          results: priced(['p1', 2, 100], ['p2', 1, 50]),
        },
        5,
      );
      await saga(
        'a2',
        2,
        { userId: 'c2', items: [{ productId: 'p2', quantity: 1 }] },
        {
          status: 'CANCELLED',
          steps: { verifyUser: 'succeeded', reserveStock: 'failed', settlePayment: 'waiting' },
          failure: { reason: 'OUT_OF_STOCK' },
        },
        3,
      );
      await saga(
        'a3',
        3,
        { userId: 'c1', items: [{ productId: 'p3', quantity: 1 }] },
        {
          status: 'COMPENSATING',
          steps: { ...done, settlePayment: 'failed', releaseStock: 'pending' },
          results: priced(['p3', 1, 1000]),
          failure: { reason: 'PAYMENT_DECLINED' },
        },
      );
      await saga('a4', 4, { userId: 'c1' });
      await saga(
        'a5',
        4,
        { userId: 'c2' },
        {
          steps: { verifyUser: 'succeeded', reserveStock: 'succeeded', settlePayment: 'pending' },
          results: priced(['p1', 1, 250]),
        },
      );
      await saga(
        'a6',
        6,
        {
          userId: 'c2',
          items: [
            { productId: 'p1', quantity: 1 },
            { productId: 'p3', quantity: 4 },
          ],
        },
        {
          status: 'CANCELLED',
          steps: { ...done, settlePayment: 'failed', releaseStock: 'succeeded' },
          results: priced(['p1', 1, 1000], ['p3', 4, 1000]),
          failure: { reason: 'PAYMENT_DECLINED', detail: 'card_declined' },
        },
        9,
      );
    }
    const list = async (filter: SagaFilter, limit = 10, after?: string) =>
      ids(await tx((store) => store.listSagas(filter, limit, after)));
    const count = (filter: SagaFilter) => tx((store) => store.countSagas(filter));

    it('writes what a saga is about beside its state, and keeps when it ended', async () => {
      await six();
      expect(await find('a1')).toMatchObject({
        customerId: 'c1',
        totalCents: 250,
        reason: null,
        endedAt: iso(5),
        awaiting: null,
      });
      expect(await find('a3')).toMatchObject({
        totalCents: 1000,
        reason: 'PAYMENT_DECLINED',
        endedAt: null,
        awaiting: ',releaseStock,',
      });
      // Saved again once ended (a stale deadline dropped): it still ended when it ended.
      const confirmed = (await find('a1'))!.state;
      await tx((store) => store.saveSaga(confirmed, null, 2, at(20)));
      expect(await find('a1')).toMatchObject({ endedAt: iso(5), updatedAt: iso(20) });
    });

    it('finds sagas by each filter alone, newest first', async () => {
      await six();
      expect(await list({})).toEqual(['a6', 'a5', 'a4', 'a3', 'a2', 'a1']);

      expect(await list({ status: 'CONFIRMED' })).toEqual(['a1']);
      expect(await list({ status: 'CANCELLED' })).toEqual(['a6', 'a2']);
      expect(await list({ status: 'RUNNING' })).toEqual(['a5', 'a4']);
      expect(await list({ status: 'COMPENSATING' })).toEqual(['a3']);
      expect(await list({ status: 'PENDING' })).toEqual(['a5', 'a4', 'a3']);

      expect(await list({ reason: 'PAYMENT_DECLINED' })).toEqual(['a6', 'a3']);
      expect(await list({ reason: 'OUT_OF_STOCK' })).toEqual(['a2']);
      expect(await list({ reason: 'USER_REJECTED' })).toEqual([]);

      expect(await list({ customer: 'c1' })).toEqual(['a4', 'a3', 'a1']);
      expect(await list({ customer: 'c2' })).toEqual(['a6', 'a5', 'a2']);
      expect(await list({ customer: 'c3' })).toEqual([]);

      expect(await list({ product: 'p1' })).toEqual(['a6', 'a5', 'a4', 'a1']);
      expect(await list({ product: 'p3' })).toEqual(['a6', 'a3']);
      expect(await list({ product: 'p9' })).toEqual([]);

      expect(await list({ step: 'settlePayment' })).toEqual(['a5']);
      expect(await list({ step: 'verifyUser' })).toEqual(['a4']);
      expect(await list({ step: 'releaseStock' })).toEqual(['a3']);
      expect(await list({ step: 'commitStock' })).toEqual([]);
      // LIKE's wildcards are no wildcards here.
      expect(await list({ step: 'verify_ser' })).toEqual([]);
      expect(await list({ step: '%' })).toEqual([]);

      // [from, to): from included, to not.
      expect(await list({ createdFrom: iso(3), createdTo: iso(6) })).toEqual(['a5', 'a4', 'a3']);
      expect(await list({ createdFrom: iso(4) })).toEqual(['a6', 'a5', 'a4']);
      expect(await list({ createdTo: iso(2) })).toEqual(['a1']);
      expect(await list({ endedFrom: iso(3), endedTo: iso(9) })).toEqual(['a2', 'a1']);
      expect(await list({ endedFrom: iso(5) })).toEqual(['a6', 'a1']);
      expect(await list({ endedTo: iso(10) })).toEqual(['a6', 'a2', 'a1']);

      // Inclusive; a saga not priced yet matches no total.
      expect(await list({ totalMin: 0 })).toEqual(['a6', 'a5', 'a3', 'a1']);
      expect(await list({ totalMin: 250 })).toEqual(['a6', 'a5', 'a3', 'a1']);
      expect(await list({ totalMax: 250 })).toEqual(['a5', 'a1']);
      expect(await list({ totalMin: 251, totalMax: 5000 })).toEqual(['a6', 'a3']);
      expect(await list({ totalMin: 5001 })).toEqual([]);
    });

    it('finds the sagas every filter given holds for', async () => {
      await six();
      expect(await list({ customer: 'c2', product: 'p1', status: 'PENDING' })).toEqual(['a5']);
      expect(await list({ customer: 'c1', totalMin: 500 })).toEqual(['a3']);
      expect(await list({ product: 'p3', reason: 'PAYMENT_DECLINED', status: 'CANCELLED' })).toEqual(['a6']);
      expect(await list({ product: 'p1', createdFrom: iso(2), createdTo: iso(6) })).toEqual(['a5', 'a4']);
      expect(await list({ customer: 'c1', step: 'releaseStock' })).toEqual(['a3']);
      expect(await list({ status: 'CONFIRMED', step: 'releaseStock' })).toEqual([]);
      expect(await list({ reason: 'PAYMENT_DECLINED', endedFrom: iso(0) })).toEqual(['a6']);
      expect(
        await list({
          status: 'CANCELLED',
          reason: 'PAYMENT_DECLINED',
          customer: 'c2',
          product: 'p3',
          createdFrom: iso(6),
          createdTo: iso(7),
          endedFrom: iso(9),
          endedTo: iso(10),
          totalMin: 5000,
          totalMax: 5000,
        }),
      ).toEqual(['a6']);
    });

    it('pages through a filtered list after the cursor, ties on the start broken by order id', async () => {
      await six();
      expect(await list({ product: 'p1' }, 2)).toEqual(['a6', 'a5']);
      expect(await list({ product: 'p1' }, 2, 'a5')).toEqual(['a4', 'a1']);
      expect(await list({ product: 'p1' }, 2, 'a1')).toEqual([]);
      expect(await list({ status: 'PENDING' }, 1)).toEqual(['a5']);
      expect(await list({ status: 'PENDING' }, 1, 'a5')).toEqual(['a4']);
      expect(await list({ status: 'PENDING' }, 1, 'a4')).toEqual(['a3']);
      expect(await list({ customer: 'c1' }, 2, 'a4')).toEqual(['a3', 'a1']);
      expect(await list({ reason: 'PAYMENT_DECLINED' }, 1, 'a6')).toEqual(['a3']);
      expect(await list({ totalMax: 5000 }, 2, 'a5')).toEqual(['a3', 'a1']);
    });

    it('counts every saga a filter finds, whatever the page', async () => {
      await six();
      expect(await count({})).toBe(6);
      expect(await count({ status: 'PENDING' })).toBe(3);
      expect(await count({ product: 'p1' })).toBe(4);
      expect(await count({ customer: 'c2', status: 'CANCELLED' })).toBe(2);
      expect(await count({ product: 'p3', totalMin: 2000 })).toBe(1);
      expect(await count({ endedFrom: iso(3), endedTo: iso(9) })).toBe(2);
      expect(await count({ step: 'settlePayment' })).toBe(1);
      expect(await count({ customer: 'c3' })).toBe(0);
    });
  });
}
