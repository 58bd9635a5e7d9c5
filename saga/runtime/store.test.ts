import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import type { SagaState, SagaStatus } from '../decider/decide';
import { upcast, type LaneState } from '../decider/upcast';
import { stepLog } from '../trace/step-log';
import * as schema from './sqlite/schema';
import { sagaSqlite } from './sqlite/store';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute)).toISOString();

describe('forgetting the stories of sagas that ended', () => {
  let database: ScratchDatabase<typeof sagaSqlite>;
  beforeEach(() => {
    database = scratchDatabase(sagaSqlite);
  });
  afterEach(() => database.remove());

  /** A saga that started at minute 0, last changed at `updated`, that sent a VerifyUser at minutes 1 and 2. */
  async function saga(orderId: string, status: SagaStatus, updated: number) {
    const { db, store } = database;
    db.insert(schema.sagas)
      .values({ orderId, status, version: 1, state: {} as SagaState, startedAt: at(0), updatedAt: at(updated) })
      .run();
    for (const minute of [1, 2]) {
      await store.insertTrace([
        {
          orderId,
          messageId: `${orderId}-${minute}`,
          causationId: `${orderId}-cause`,
          type: 'VerifyUser',
          producer: 'orchestrator',
          instance: null,
          data: null,
          change: null,
          consumer: 'users',
          direction: 'out',
          outcome: 'sent',
          note: null,
          occurredAt: at(minute),
          recordedAt: at(minute),
        },
      ]);
    }
  }
  const story = async (orderId: string) => {
    const trace = await database.store.traceOf(orderId);
    return [trace.length, stepLog(trace).length];
  };

  it('forgets the trace, and with it the step log, of a saga that ended before the cutoff, and nothing else', async () => {
    await saga('ended-long-ago', 'CONFIRMED', 3);
    await saga('cancelled-long-ago', 'CANCELLED', 3);
    await saga('ended-since', 'CANCELLED', 20);
    await saga('still-running', 'RUNNING', 3);
    await saga('compensating', 'COMPENSATING', 3);

    expect(await database.store.forgetTracesEndedBefore(new Date(at(10)), 100)).toBe(4);

    expect(await story('ended-long-ago')).toEqual([0, 0]);
    expect(await story('cancelled-long-ago')).toEqual([0, 0]);
    expect(await story('ended-since')).toEqual([2, 2]);
    expect(await story('still-running')).toEqual([2, 2]);
    expect(await story('compensating')).toEqual([2, 2]);
  });

  it('removes at most `limit` rows at once, oldest first', async () => {
    await saga('a', 'CONFIRMED', 3);
    await saga('b', 'CONFIRMED', 3);

    expect(await database.store.forgetTracesEndedBefore(new Date(at(10)), 3)).toBe(3);
    // Oldest first: both entries of minute 1 went, one of minute 2 is left.
    expect(
      [...(await database.store.traceOf('a')), ...(await database.store.traceOf('b'))].map((entry) => entry.recordedAt),
    ).toEqual([at(2)]);
    expect(await database.store.forgetTracesEndedBefore(new Date(at(10)), 3)).toBe(1);
    expect(await database.store.forgetTracesEndedBefore(new Date(at(10)), 3)).toBe(0);
  });
});

describe('a saga stored by a release before the step table', () => {
  let database: ScratchDatabase<typeof sagaSqlite>;
  beforeEach(() => {
    database = scratchDatabase(sagaSqlite);
  });
  afterEach(() => database.remove());

  it('is read in today’s shape, wherever it is read from', async () => {
    const lanes: LaneState = {
      orderId: 'o1',
      userId: 'u1',
      items: [{ productId: 'p1', quantity: 1 }],
      card: { sealed: 'sealed-card-blob', last4: '4242' },
      status: 'RUNNING',
      user: 'verified',
      stock: 'reserved',
      payment: 'pending',
      deadlines: { settlePayment: at(5) },
    };
    database.db
      .insert(schema.sagas)
      .values({
        orderId: 'o1',
        status: 'RUNNING',
        version: 3,
        state: lanes as unknown as SagaState,
        nextDeadlineAt: at(5),
        startedAt: at(0),
        updatedAt: at(1),
      })
      .run();
    const { store } = database;
    for (const row of [
      await store.findSaga('o1'),
      ...(await store.unfinishedSagas()),
      ...(await store.dueSagas(new Date(at(9)), 9)),
    ]) {
      expect(row!.state).toEqual(upcast(lanes));
      expect(row!.state.steps).toMatchObject({ settlePayment: 'pending', commitStock: 'waiting' });
    }
  });
});
