import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../contracts';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { HistoryRow, IdempotencyKeyRow, OrderGroup, OrderRow, OrdersStore } from './store';

const items = [
  { productId: 'p1', quantity: 2 },
  { productId: 'p2', quantity: 1 },
];
const pricedItems = [
  { productId: 'p1', quantity: 2, name: 'Mug', unitPriceCents: 1_250 },
  { productId: 'p2', quantity: 1, name: 'Teapot', unitPriceCents: 999 },
];

const order = (id: string, changes: Partial<OrderRow> = {}): OrderRow => ({
  id,
  userId: 'u1',
  status: 'PENDING',
  reason: null,
  detail: null,
  items,
  totalCents: null,
  invoiceId: null,
  cardLast4: '4242',
  createdAt: iso(0),
  updatedAt: iso(0),
  ...changes,
});

const key = (userId: string, k: string, createdAt: string): IdempotencyKeyRow => ({
  userId,
  key: k,
  requestHash: `hash-${k}`,
  orderId: `order-${k}`,
  createdAt,
});

/** A history entry as the store returns it, without its seq (the store numbers them). */
const entry = (orderId: string, status: OrderStatus, at: string, more: Partial<HistoryRow> = {}) => ({
  seq: expect.any(Number),
  orderId,
  status,
  reason: null,
  detail: null,
  at,
  ...more,
});

const byGroup = (a: OrderGroup, b: OrderGroup) =>
  `${a.status}/${a.reason ?? ''}` < `${b.status}/${b.reason ?? ''}` ? -1 : 1;

/** What the orders service's store does, on either database; the inbox and outbox are in the messaging contract. */
export function ordersStoreContract(name: string, makeDatabase: DatabaseFactory<OrdersStore>): void {
  describe(`${name}: the orders store contract`, () => {
    const db = freshDatabaseEachTest(makeDatabase);
    const tx = <R>(work: (store: OrdersStore) => Promise<R>) => db().transaction(work);
    const insert = (...rows: OrderRow[]) =>
      tx(async (store) => {
        for (const row of rows) await store.insertOrder(row);
      });
    const find = (id: string) => tx((store) => store.findOrder(id));
    const history = (id: string) => tx((store) => store.historyOf(id));
    const list = async (limit: number, filter: { userId?: string; status?: OrderStatus } = {}, after?: string) =>
      (await tx((store) => store.listOrders(limit, filter, after))).map((row) => row.id);

    describe('orders and their history', () => {
      it('finds an order as inserted, its history begun, and nothing for an unknown id', async () => {
        await insert(order('o1', { createdAt: iso(1), updatedAt: iso(1) }));
        expect(await find('o1')).toEqual(order('o1', { createdAt: iso(1), updatedAt: iso(1) }));
        expect(await history('o1')).toEqual([entry('o1', 'PENDING', iso(1))]);
        expect(await find('o2')).toBeUndefined();
        expect(await history('o2')).toEqual([]);
      });

      it('confirms a pending order once: its outcome, the time, one history entry', async () => {
        await insert(order('o1'), order('o2'));
        const outcome = {
          status: 'CONFIRMED' as const,
          reason: null,
          detail: 'paid',
          items: pricedItems,
          totalCents: 3_499,
          invoiceId: 'inv-1',
        };
        expect(await tx((store) => store.endOrder('o1', outcome, at(5)))).toBe(true);
        const confirmed = order('o1', { ...outcome, updatedAt: iso(5) });
        expect(await find('o1')).toEqual(confirmed);
        // A repeated outcome, or a late cancel, changes nothing.
        expect(await tx((store) => store.endOrder('o1', outcome, at(6)))).toBe(false);
        expect(
          await tx((store) =>
            store.endOrder('o1', { status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER', detail: null }, at(7)),
          ),
        ).toBe(false);
        expect(await find('o1')).toEqual(confirmed);
        expect(await history('o1')).toEqual([
          entry('o1', 'PENDING', iso(0)),
          entry('o1', 'CONFIRMED', iso(5), { detail: 'paid' }),
        ]);
        expect(await find('o2')).toEqual(order('o2'));
        expect(await history('o2')).toEqual([entry('o2', 'PENDING', iso(0))]);
      });

      it('cancels a pending order once, keeping what it held', async () => {
        await insert(order('o1'));
        const outcome = { status: 'CANCELLED' as const, reason: 'OUT_OF_STOCK' as const, detail: 'p1: 1 left' };
        expect(await tx((store) => store.endOrder('o1', outcome, at(5)))).toBe(true);
        const cancelled = order('o1', { ...outcome, updatedAt: iso(5) });
        expect(await find('o1')).toEqual(cancelled);
        expect(await tx((store) => store.endOrder('o1', { ...outcome, reason: 'PAYMENT_DECLINED' }, at(6)))).toBe(
          false,
        );
        expect(await find('o1')).toEqual(cancelled);
        expect(await history('o1')).toEqual([
          entry('o1', 'PENDING', iso(0)),
          entry('o1', 'CANCELLED', iso(5), { reason: 'OUT_OF_STOCK', detail: 'p1: 1 left' }),
        ]);
      });

      it('ends no order, and adds no history, for an unknown id', async () => {
        expect(
          await tx((store) =>
            store.endOrder('nope', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(1)),
          ),
        ).toBe(false);
        expect(await history('nope')).toEqual([]);
        expect(await find('nope')).toBeUndefined();
      });

      it('adds a note to the history, oldest first, without changing the order', async () => {
        await insert(order('o1'));
        await tx((store) => store.noteOnHistory({ id: 'o1', status: 'PENDING', reason: null }, 'first note', at(1)));
        await tx((store) =>
          store.noteOnHistory({ id: 'o1', status: 'CANCELLED', reason: 'STEP_TIMEOUT' }, 'second note', at(2)),
        );
        expect(await find('o1')).toEqual(order('o1'));
        const rows = await history('o1');
        expect(rows).toEqual([
          entry('o1', 'PENDING', iso(0)),
          entry('o1', 'PENDING', iso(1), { detail: 'first note' }),
          entry('o1', 'CANCELLED', iso(2), { reason: 'STEP_TIMEOUT', detail: 'second note' }),
        ]);
        expect(rows.map((row) => row.seq)).toEqual(rows.map((row) => row.seq).sort((a, b) => a - b));
      });

      it("gives many orders' histories at once, each its own, oldest first, and an empty one where none", async () => {
        await insert(order('o1'), order('o2'), order('o3'));
        await tx((store) => store.noteOnHistory({ id: 'o2', status: 'PENDING', reason: null }, 'o2 note', at(1)));
        await tx((store) => store.noteOnHistory({ id: 'o1', status: 'PENDING', reason: null }, 'o1 note', at(2)));
        await tx((store) => store.endOrder('o2', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(3)));
        const histories = await tx((store) => store.historiesOf(['o2', 'o1', 'none']));
        expect([...histories.keys()].sort()).toEqual(['none', 'o1', 'o2']);
        expect(histories.get('o1')).toEqual(await history('o1'));
        expect(histories.get('o2')).toEqual([
          entry('o2', 'PENDING', iso(0)),
          entry('o2', 'PENDING', iso(1), { detail: 'o2 note' }),
          entry('o2', 'CANCELLED', iso(3), { reason: 'STEP_TIMEOUT' }),
        ]);
        expect(histories.get('none')).toEqual([]);
        expect((await tx((store) => store.historiesOf([]))).size).toBe(0);
      });
    });

    describe('listing', () => {
      // o4 and o3 were placed at the same instant, o4 first: the id breaks the tie, and the cursor too.
      const placed = [
        order('o1', { userId: 'u1', createdAt: iso(1) }),
        order('o5', { userId: 'u2', createdAt: iso(2) }),
        order('o4', { userId: 'u2', createdAt: iso(3) }),
        order('o3', { userId: 'u1', createdAt: iso(3) }),
        order('o2', { userId: 'u1', createdAt: iso(4) }),
      ];
      const newestFirst = ['o2', 'o4', 'o3', 'o5', 'o1'];

      it('lists newest first, ties broken by id, a page at a time after the cursor', async () => {
        await insert(...placed);
        expect(await list(10)).toEqual(newestFirst);
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await list(2, {}, after);
          if (page.length === 0) break;
          pages.push(page);
          after = page.at(-1);
        }
        expect(pages).toEqual([['o2', 'o4'], ['o3', 'o5'], ['o1']]);
        expect(await list(1, {}, 'o4')).toEqual(['o3']);
        expect(await list(10, {}, 'o1')).toEqual([]);
      });

      it('breaks a tie on time by id, whatever order the tied orders were placed in', async () => {
        // Neither the order placed nor its reverse is the order listed.
        await insert(
          order('t-b', { createdAt: iso(5) }),
          order('t-a', { createdAt: iso(5) }),
          order('t-c', { createdAt: iso(5) }),
        );
        expect(await list(10)).toEqual(['t-c', 't-b', 't-a']);
        expect(await list(1, {}, 't-c')).toEqual(['t-b']);
        expect(await list(1, { userId: 'u1' }, 't-b')).toEqual(['t-a']);
      });

      it("lists one buyer's orders, or one status, or both, with the cursor", async () => {
        await insert(...placed);
        await tx((store) => store.endOrder('o3', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(9)));
        await tx((store) => store.endOrder('o4', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(9)));
        expect(await list(10, { userId: 'u1' })).toEqual(['o2', 'o3', 'o1']);
        expect(await list(10, { userId: 'u1' }, 'o3')).toEqual(['o1']);
        expect(await list(10, { userId: 'u3' })).toEqual([]);
        expect(await list(10, { status: 'CANCELLED' })).toEqual(['o4', 'o3']);
        expect(await list(10, { status: 'PENDING' })).toEqual(['o2', 'o5', 'o1']);
        expect(await list(1, { status: 'PENDING' }, 'o2')).toEqual(['o5']);
        expect(await list(10, { userId: 'u2', status: 'PENDING' })).toEqual(['o5']);
        expect(await list(10, { userId: 'u1', status: 'CANCELLED' })).toEqual(['o3']);
        expect(await list(10, { userId: 'u1', status: 'CONFIRMED' })).toEqual([]);
      });

      it('counts the pending orders only', async () => {
        expect(await tx((store) => store.countPending())).toBe(0);
        await insert(...placed);
        expect(await tx((store) => store.countPending())).toBe(5);
        await tx((store) => store.endOrder('o1', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(9)));
        await tx((store) =>
          store.endOrder(
            'o2',
            { status: 'CONFIRMED', reason: null, detail: null, items: pricedItems, totalCents: 10, invoiceId: 'i' },
            at(9),
          ),
        );
        expect(await tx((store) => store.countPending())).toBe(3);
      });

      it('groups the orders by status and reason, with their count and what they add up to', async () => {
        expect(await tx((store) => store.orderGroups())).toEqual([]);
        await insert(order('o1'), order('o2'), order('o3'), order('o4'), order('o5'), order('o6'));
        const confirm = (id: string, totalCents: number) =>
          tx((store) =>
            store.endOrder(
              id,
              { status: 'CONFIRMED', reason: null, detail: null, items: pricedItems, totalCents, invoiceId: `i-${id}` },
              at(9),
            ),
          );
        await confirm('o1', 1_000);
        await confirm('o2', 2_500);
        await tx((store) => store.endOrder('o3', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(9)));
        await tx((store) => store.endOrder('o4', { status: 'CANCELLED', reason: 'STEP_TIMEOUT', detail: null }, at(9)));
        await tx((store) => store.endOrder('o5', { status: 'CANCELLED', reason: 'OUT_OF_STOCK', detail: null }, at(9)));
        // In no particular order.
        expect([...(await tx((store) => store.orderGroups()))].sort(byGroup)).toEqual([
          { status: 'CANCELLED', reason: 'OUT_OF_STOCK', count: 1, totalCents: 0 },
          { status: 'CANCELLED', reason: 'STEP_TIMEOUT', count: 2, totalCents: 0 },
          { status: 'CONFIRMED', reason: null, count: 2, totalCents: 3_500 },
          { status: 'PENDING', reason: null, count: 1, totalCents: 0 },
        ]);
      });
    });

    describe('idempotency keys', () => {
      it("finds a buyer's key, and not another buyer's of the same name", async () => {
        const row = key('u1', 'k1', iso(1));
        expect(await tx((store) => store.findIdempotencyKey('u1', 'k1'))).toBeUndefined();
        await tx((store) => store.insertIdempotencyKey(row));
        expect(await tx((store) => store.findIdempotencyKey('u1', 'k1'))).toEqual(row);
        expect(await tx((store) => store.findIdempotencyKey('u2', 'k1'))).toBeUndefined();
        expect(await tx((store) => store.findIdempotencyKey('u1', 'k2'))).toBeUndefined();
        await tx((store) => store.insertIdempotencyKey(key('u2', 'k1', iso(2))));
        expect(await tx((store) => store.findIdempotencyKey('u2', 'k1'))).toEqual(key('u2', 'k1', iso(2)));
      });

      it('forgets keys made strictly before the cutoff, at most `limit`, oldest first', async () => {
        // Inserted neither in time nor in name order.
        await tx(async (store) => {
          for (const [k, second] of [
            ['a', 30],
            ['z', 10],
            ['m', 40],
            ['b', 20],
          ] as const)
            await store.insertIdempotencyKey(key('u1', k, iso(second)));
        });
        const kept = async () =>
          (
            await Promise.all(['a', 'b', 'm', 'z'].map((k) => tx((store) => store.findIdempotencyKey('u1', k))))
          ).flatMap((row) => (row ? [row.key] : []));
        expect(await tx((store) => store.forgetIdempotencyKeysBefore(at(10), 10))).toBe(0);
        expect(await tx((store) => store.forgetIdempotencyKeysBefore(at(40), 2))).toBe(2);
        expect(await kept()).toEqual(['a', 'm']);
        // Made at 40 is not before 40.
        expect(await tx((store) => store.forgetIdempotencyKeysBefore(at(40), 10))).toBe(1);
        expect(await kept()).toEqual(['m']);
      });
    });

    describe('account status', () => {
      const status = (version: number, active: boolean, userId = 'u1') => ({
        userId,
        active,
        version,
        updatedAt: iso(version),
      });

      it('keeps the newest version of an account status only, whatever order they come in', async () => {
        expect(await tx((store) => store.accountStatusOf('u1'))).toBeUndefined();
        await tx((store) => store.saveAccountStatus(status(2, false)));
        expect(await tx((store) => store.accountStatusOf('u1'))).toEqual(status(2, false));
        await tx((store) => store.saveAccountStatus(status(1, true)));
        expect(await tx((store) => store.accountStatusOf('u1'))).toEqual(status(2, false));
        await tx((store) => store.saveAccountStatus(status(3, true)));
        expect(await tx((store) => store.accountStatusOf('u1'))).toEqual(status(3, true));
        await tx((store) => store.saveAccountStatus(status(1, false, 'u2')));
        expect(await tx((store) => store.accountStatusOf('u2'))).toEqual(status(1, false, 'u2'));
        expect(await tx((store) => store.accountStatusOf('u1'))).toEqual(status(3, true));
      });
    });
  });
}
