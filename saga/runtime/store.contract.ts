import { describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { publisherOf, type Inbound } from '../../contracts/topology';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { SagaState, SagaStatus } from '../decider/decide';
import type { SagaFilter, SagaRow, SagaStore, TraceRow } from './store';

const state = (orderId: string, changes: Partial<SagaState> = {}): SagaState => ({
  orderId,
  userId: 'u1',
  items: [{ productId: 'p1', quantity: 2 }],
  card: { sealed: 'sealed-card-blob', last4: '4242' },
  definition: 1,
  status: 'RUNNING',
  steps: { verifyUser: 'pending', reserveStock: 'pending', settlePayment: 'waiting' },
  results: {},
  deadlines: { verifyUser: iso(10), reserveStock: iso(10) },
  ...changes,
});

const cancel = (orderId: string, messageId: string): Inbound<'orchestrator'> =>
  envelope(
    { type: 'OrderCancellationRequested', data: { orderId, requestedBy: 'u1' } },
    {
      producer: publisherOf('OrderCancellationRequested'),
      correlationId: orderId,
      causationId: null,
      messageId,
      now: at(0),
    },
  );

const trace = (orderId: string, messageId: string, recordedAt: string): Omit<TraceRow, 'seq'> => ({
  orderId,
  messageId,
  causationId: null,
  type: 'UserVerified',
  producer: 'users',
  instance: null,
  data: null,
  change: null,
  consumer: 'orchestrator',
  direction: 'in',
  outcome: 'applied',
  note: null,
  occurredAt: recordedAt,
  recordedAt,
});

const ids = (rows: readonly SagaRow[]) => rows.map((row) => row.orderId);

/** The trace context a saga is started under: the span that started it, and its tracestate. */
const startedUnder = { traceparent: '00-trace-span-01', tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' };

/** What the orchestrator's store does, on either database; the inbox and outbox are in the messaging contract. */
export function sagaStoreContract(name: string, makeDatabase: DatabaseFactory<SagaStore>): void {
  describe(`${name}: the saga store contract`, () => {
    const db = freshDatabaseEachTest(makeDatabase);
    const tx = <R>(work: (store: SagaStore) => Promise<R>) => db().transaction(work);
    const find = (orderId: string) => tx((store) => store.findSaga(orderId));
    /** Starts a saga at `second`, its next deadline as given, and moves it to `status` (a second save) unless running. */
    async function start(orderId: string, second: number, nextDeadlineAt: string | null = null, status?: SagaStatus) {
      await tx((store) => store.saveSaga(state(orderId), nextDeadlineAt, undefined, at(second)));
      if (status) await tx((store) => store.saveSaga(state(orderId, { status }), nextDeadlineAt, 1, at(second)));
    }

    describe('sagas', () => {
      it('inserts a saga at version 1, and finds it as saved', async () => {
        await tx((store) => store.saveSaga(state('o1'), iso(10), undefined, at(1), startedUnder));
        await tx((store) => store.saveSaga(state('o2'), null, undefined, at(2)));
        expect(await find('o1')).toEqual({
          orderId: 'o1',
          status: 'RUNNING',
          version: 1,
          state: state('o1'),
          nextDeadlineAt: iso(10),
          startedAt: iso(1),
          updatedAt: iso(1),
          traceparent: '00-trace-span-01',
          tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
          // What it is about, for the search.
          customerId: 'u1',
          totalCents: null,
          reason: null,
          endedAt: null,
          awaiting: ',verifyUser,reserveStock,',
        });
        expect(await find('o2')).toMatchObject({
          version: 1,
          nextDeadlineAt: null,
          traceparent: null,
          tracestate: null,
        });
        expect(await find('o3')).toBeUndefined();
      });

      it('advances a saga from the version it read, one version at a time', async () => {
        await tx((store) => store.saveSaga(state('o1'), iso(10), undefined, at(1), startedUnder));
        await tx((store) => store.saveSaga(state('o2'), iso(10), undefined, at(1)));
        const verified = state('o1', { steps: { verifyUser: 'succeeded' }, deadlines: { reserveStock: iso(10) } });
        await tx((store) => store.saveSaga(verified, iso(10), 1, at(2)));
        const compensating = state('o1', {
          status: 'COMPENSATING',
          steps: { verifyUser: 'succeeded', reserveStock: 'succeeded', releaseStock: 'pending' },
          deadlines: {},
        });
        await tx((store) => store.saveSaga(compensating, null, 2, at(3)));
        expect(await find('o1')).toEqual({
          orderId: 'o1',
          status: 'COMPENSATING',
          version: 3,
          state: compensating,
          nextDeadlineAt: null,
          startedAt: iso(1),
          updatedAt: iso(3),
          // Kept from the start: an advance changes neither.
          traceparent: '00-trace-span-01',
          tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
          customerId: 'u1',
          totalCents: null,
          reason: null,
          endedAt: null,
          awaiting: ',releaseStock,',
        });
        // Nobody else's.
        expect(await find('o2')).toMatchObject({
          version: 1,
          status: 'RUNNING',
          state: state('o2'),
          updatedAt: iso(1),
        });
      });

      it('throws, saving nothing, when another writer moved the saga since the version read', async () => {
        await tx((store) => store.saveSaga(state('o1'), iso(10), undefined, at(1)));
        await tx((store) => store.saveSaga(state('o1', { steps: { verifyUser: 'succeeded' } }), iso(10), 1, at(2)));
        const saved = await find('o1');
        await expect(
          tx((store) =>
            store.saveSaga(state('o1', { steps: { verifyUser: 'failed' }, status: 'COMPENSATING' }), null, 1, at(3)),
          ),
        ).rejects.toThrow();
        await expect(
          tx((store) => store.saveSaga(state('o1', { steps: { verifyUser: 'failed' } }), null, 3, at(3))),
        ).rejects.toThrow();
        expect(await find('o1')).toEqual(saved);
        await expect(tx((store) => store.saveSaga(state('nope'), null, 1, at(3)))).rejects.toThrow();
        expect(await find('nope')).toBeUndefined();
      });

      it('lists newest first, by status or all, ties broken by order id, a page at a time after the cursor', async () => {
        await start('o1', 1);
        await start('o5', 2, null, 'CONFIRMED');
        // o4 and o3 started at the same instant, o4 first: the order id breaks the tie.
        await start('o4', 3, null, 'CANCELLED');
        await start('o3', 3);
        await start('o2', 4, null, 'CONFIRMED');
        const list = async (limit: number, status?: SagaStatus, after?: string) =>
          ids(await tx((store) => store.listSagas({ status }, limit, after)));
        expect(await list(10)).toEqual(['o2', 'o4', 'o3', 'o5', 'o1']);
        expect(await list(2)).toEqual(['o2', 'o4']);
        expect(await list(2, undefined, 'o4')).toEqual(['o3', 'o5']);
        expect(await list(2, undefined, 'o5')).toEqual(['o1']);
        expect(await list(2, undefined, 'o1')).toEqual([]);
        expect(await list(10, 'CONFIRMED')).toEqual(['o2', 'o5']);
        expect(await list(10, 'CONFIRMED', 'o2')).toEqual(['o5']);
        expect(await list(10, 'RUNNING')).toEqual(['o3', 'o1']);
        expect(await list(10, 'COMPENSATING')).toEqual([]);
      });

      it('breaks a tie on the start by order id, whatever order the tied sagas started in', async () => {
        // Neither the order started nor its reverse is the order listed.
        for (const id of ['t-b', 't-a', 't-c']) await start(id, 5);
        const list = async (limit: number, after?: string) =>
          ids(await tx((store) => store.listSagas({}, limit, after)));
        expect(await list(10)).toEqual(['t-c', 't-b', 't-a']);
        expect(await list(1, 't-c')).toEqual(['t-b']);
        expect(await list(1, 't-b')).toEqual(['t-a']);
      });

      it('counts and gives the sagas not ended: running or compensating', async () => {
        expect(await tx((store) => store.countUnfinished())).toBe(0);
        expect(await tx((store) => store.unfinishedSagas())).toEqual([]);
        await start('o1', 1);
        await start('o2', 2, null, 'COMPENSATING');
        await start('o3', 3, null, 'CONFIRMED');
        await start('o4', 4, null, 'CANCELLED');
        await start('o5', 5);
        expect(await tx((store) => store.countUnfinished())).toBe(3);
        // In no particular order.
        const unfinished = await tx((store) => store.unfinishedSagas());
        expect(ids(unfinished).sort()).toEqual(['o1', 'o2', 'o5']);
        expect(unfinished.find((row) => row.orderId === 'o2')).toEqual(await find('o2'));
      });

      it('gives the start of the oldest saga not ended, whatever ended before it', async () => {
        expect(await tx((store) => store.oldestUnfinishedStart())).toBeUndefined();
        await start('o1', 1, null, 'CONFIRMED');
        await start('o2', 2, null, 'CANCELLED');
        expect(await tx((store) => store.oldestUnfinishedStart())).toBeUndefined();
        await start('o4', 4);
        await start('o3', 3, null, 'COMPENSATING');
        await start('o5', 5);
        expect(await tx((store) => store.oldestUnfinishedStart())).toBe(iso(3));
        await tx((store) => store.saveSaga(state('o3', { status: 'CANCELLED' }), null, 2, at(6)));
        expect(await tx((store) => store.oldestUnfinishedStart())).toBe(iso(4));
      });
    });

    describe('search', () => {
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

    describe('deadlines', () => {
      it('gives the sagas due by now, deadline at now included, oldest deadline first, at most `limit`', async () => {
        // Started neither in deadline nor in id order.
        await start('o1', 1, iso(30));
        await start('o2', 2, iso(10));
        await start('o3', 3, null);
        await start('o4', 4, iso(20));
        await start('o5', 5, iso(40));
        const due = async (second: number, limit = 10) => ids(await tx((store) => store.dueSagas(at(second), limit)));
        expect(await due(9)).toEqual([]);
        expect(await due(10)).toEqual(['o2']);
        expect(await due(30)).toEqual(['o2', 'o4', 'o1']);
        expect(await due(100)).toEqual(['o2', 'o4', 'o1', 'o5']);
        expect(await due(100, 2)).toEqual(['o2', 'o4']);
        expect((await tx((store) => store.dueSagas(at(10), 1)))[0]).toEqual(await find('o2'));
      });

      it('says when the next deadline of any saga comes, and undefined when none is set', async () => {
        expect(await tx((store) => store.earliestDeadline())).toBeUndefined();
        await start('o1', 1, null);
        expect(await tx((store) => store.earliestDeadline())).toBeUndefined();
        await start('o2', 2, iso(30));
        await start('o3', 3, iso(20));
        await start('o4', 4, iso(40));
        expect(await tx((store) => store.earliestDeadline())).toBe(iso(20));
        await tx((store) => store.saveSaga(state('o3'), null, 1, at(5)));
        expect(await tx((store) => store.earliestDeadline())).toBe(iso(30));
      });
    });

    describe('early inputs', () => {
      it('gives the messages kept for a saga in the order they came, once, and only its own', async () => {
        // Kept in another order than they came (`now` is when each came).
        await tx((store) => store.keepEarly(cancel('o1', 'm-b'), at(2)));
        await tx((store) => store.keepEarly(cancel('o1', 'm-c'), at(3)));
        await tx((store) => store.keepEarly(cancel('o1', 'm-a'), at(1)));
        await tx((store) => store.keepEarly(cancel('o2', 'm-d'), at(0)));
        // A redelivered message is kept once.
        await tx((store) => store.keepEarly(cancel('o1', 'm-b'), at(4)));
        expect(await tx((store) => store.takeEarly('o1'))).toEqual([
          cancel('o1', 'm-a'),
          cancel('o1', 'm-b'),
          cancel('o1', 'm-c'),
        ]);
        expect(await tx((store) => store.takeEarly('o1'))).toEqual([]);
        expect(await tx((store) => store.takeEarly('o2'))).toEqual([cancel('o2', 'm-d')]);
        expect(await tx((store) => store.takeEarly('o3'))).toEqual([]);
      });

      it('keeps the messages when the transaction that took them rolls back', async () => {
        await tx((store) => store.keepEarly(cancel('o1', 'm-a'), at(1)));
        await expect(
          tx(async (store) => {
            await store.takeEarly('o1');
            throw new Error('the saga did not start');
          }),
        ).rejects.toThrow('the saga did not start');
        expect(await tx((store) => store.takeEarly('o1'))).toEqual([cancel('o1', 'm-a')]);
      });
    });

    describe('trace', () => {
      it("gives a saga's trace in the order recorded, every field as written, and only its own", async () => {
        await tx((store) => store.insertTrace([trace('o1', 'm1', iso(3)), trace('o2', 'm2', iso(1))]));
        await tx((store) =>
          store.insertTrace([
            {
              ...trace('o1', 'm3', iso(2)),
              direction: 'out',
              outcome: 'sent',
              causationId: 'm1',
              note: 'why',
              instance: 'shop-2',
              data: '{"orderId":"o1"}',
              change: '{"status":["RUNNING","CONFIRMED"]}',
            },
            trace('o1', 'm4', iso(1)),
          ]),
        );
        const rows = await tx((store) => store.traceOf('o1'));
        expect(rows).toEqual([
          { seq: expect.any(Number), ...trace('o1', 'm1', iso(3)) },
          {
            seq: expect.any(Number),
            ...trace('o1', 'm3', iso(2)),
            direction: 'out',
            outcome: 'sent',
            causationId: 'm1',
            note: 'why',
            instance: 'shop-2',
            data: '{"orderId":"o1"}',
            change: '{"status":["RUNNING","CONFIRMED"]}',
          },
          { seq: expect.any(Number), ...trace('o1', 'm4', iso(1)) },
        ]);
        expect(rows.map((row) => row.seq)).toEqual(rows.map((row) => row.seq).sort((a, b) => a - b));
        expect(await tx((store) => store.traceOf('o2'))).toEqual([
          { seq: expect.any(Number), ...trace('o2', 'm2', iso(1)) },
        ]);
        expect(await tx((store) => store.traceOf('o3'))).toEqual([]);
      });

      it('forgets the rows recorded before the cutoff of sagas ended before it; a running saga keeps its story', async () => {
        await start('ended', 1, null, 'CONFIRMED'); // updated at 1
        await start('cancelled', 2, null, 'CANCELLED'); // updated at 2
        await start('running', 1);
        await start('compensating', 1, null, 'COMPENSATING');
        await start('ended-late', 1, null, 'CONFIRMED');
        await tx((store) => store.saveSaga(state('ended-late', { status: 'CONFIRMED' }), null, 2, at(50))); // ended at 50
        await tx((store) =>
          store.insertTrace([
            trace('ended', 'e1', iso(1)),
            trace('ended', 'e2', iso(60)), // after the cutoff
            trace('cancelled', 'c1', iso(2)),
            trace('running', 'r1', iso(1)),
            trace('compensating', 'p1', iso(1)),
            trace('ended-late', 'l1', iso(1)),
            trace('no-saga', 'n1', iso(1)),
          ]),
        );
        expect(await tx((store) => store.forgetTracesEndedBefore(at(50), 100))).toBe(2);
        const left = async (orderId: string) =>
          (await tx((store) => store.traceOf(orderId))).map((row) => row.messageId);
        expect(await left('ended')).toEqual(['e2']);
        expect(await left('cancelled')).toEqual([]);
        expect(await left('running')).toEqual(['r1']);
        expect(await left('compensating')).toEqual(['p1']);
        // Ended at the cutoff is not ended before it.
        expect(await left('ended-late')).toEqual(['l1']);
        expect(await tx((store) => store.forgetTracesEndedBefore(at(50), 100))).toBe(0);
      });

      it('forgets at most `limit` trace rows, the oldest first', async () => {
        await start('o1', 1, null, 'CONFIRMED');
        await start('o2', 1, null, 'CANCELLED');
        // Recorded in another order than their times.
        await tx((store) =>
          store.insertTrace([
            trace('o1', 'a', iso(30)),
            trace('o2', 'b', iso(10)),
            trace('o1', 'c', iso(40)),
            trace('o2', 'd', iso(20)),
          ]),
        );
        expect(await tx((store) => store.forgetTracesEndedBefore(at(100), 2))).toBe(2);
        const left = async (orderId: string) =>
          (await tx((store) => store.traceOf(orderId))).map((row) => row.messageId);
        expect(await left('o1')).toEqual(['a', 'c']);
        expect(await left('o2')).toEqual([]);
        expect(await tx((store) => store.forgetTracesEndedBefore(at(35), 5))).toBe(1);
        expect(await left('o1')).toEqual(['c']);
      });
    });
  });
}
