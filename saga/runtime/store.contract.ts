import { describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { publisherOf, type Inbound } from '../../contracts/topology';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { SagaStatus } from '../decider/decide';
import type { SagaStore, TraceRow } from './store';
import { ids, sagaStoreOf, state } from './store.fixtures';

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

/** The trace context a saga is started under: the span that started it, and its tracestate. */
const startedUnder = { traceparent: '00-trace-span-01', tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' };

/**
 * What the orchestrator's store does, on either database; the search is in the search contract, the
 * inbox and outbox are in the messaging contract.
 */
export function sagaStoreContract(name: string, makeDatabase: DatabaseFactory<SagaStore>): void {
  describe(`${name}: the saga store contract`, () => {
    const { tx, find } = sagaStoreOf(freshDatabaseEachTest(makeDatabase));
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
