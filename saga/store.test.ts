import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDatabase } from '../tests/support/scratch-database';
import type { SagaState, SagaStatus } from './order-saga';
import * as schema from './sqlite/schema';
import { forgetTracesEndedBefore, insertTrace, stepsOf, traceOf } from './store';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute)).toISOString();

describe('forgetting the stories of sagas that ended', () => {
  let database: ReturnType<typeof scratchDatabase<typeof schema>>;
  beforeEach(() => (database = scratchDatabase(schema, new URL('./sqlite/migrations', import.meta.url))));
  afterEach(() => database.remove());

  /** A saga that started at minute 0, last changed at `updated`, that sent a VerifyUser at minutes 1 and 2. */
  function saga(orderId: string, status: SagaStatus, updated: number) {
    const { db } = database;
    db.insert(schema.sagas)
      .values({ orderId, status, version: 1, state: {} as SagaState, startedAt: at(0), updatedAt: at(updated) })
      .run();
    for (const minute of [1, 2]) {
      insertTrace(db, [
        {
          orderId,
          messageId: `${orderId}-${minute}`,
          causationId: `${orderId}-cause`,
          type: 'VerifyUser',
          producer: 'orchestrator',
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
  const story = (orderId: string) => [traceOf(database.db, orderId).length, stepsOf(database.db, orderId).length];

  it('forgets the trace, and with it the step log, of a saga that ended before the cutoff, and nothing else', () => {
    saga('ended-long-ago', 'CONFIRMED', 3);
    saga('cancelled-long-ago', 'CANCELLED', 3);
    saga('ended-since', 'CANCELLED', 20);
    saga('still-running', 'RUNNING', 3);
    saga('compensating', 'COMPENSATING', 3);

    expect(forgetTracesEndedBefore(database.db, new Date(at(10)), 100)).toBe(4);

    expect(story('ended-long-ago')).toEqual([0, 0]);
    expect(story('cancelled-long-ago')).toEqual([0, 0]);
    expect(story('ended-since')).toEqual([2, 2]);
    expect(story('still-running')).toEqual([2, 2]);
    expect(story('compensating')).toEqual([2, 2]);
  });

  it('removes at most `limit` rows at once, oldest first', () => {
    saga('a', 'CONFIRMED', 3);
    saga('b', 'CONFIRMED', 3);

    expect(forgetTracesEndedBefore(database.db, new Date(at(10)), 3)).toBe(3);
    // Oldest first: both entries of minute 1 went, one of minute 2 is left.
    expect([...traceOf(database.db, 'a'), ...traceOf(database.db, 'b')].map((entry) => entry.recordedAt)).toEqual([
      at(2),
    ]);
    expect(forgetTracesEndedBefore(database.db, new Date(at(10)), 3)).toBe(1);
    expect(forgetTracesEndedBefore(database.db, new Date(at(10)), 3)).toBe(0);
  });
});
