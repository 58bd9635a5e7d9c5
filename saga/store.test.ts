import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/sqlite';
import type { SagaState, SagaStatus } from './order-saga';
import * as schema from './schema';
import { forgetStoriesEndedBefore, insertSteps, insertTrace, stepsOf, traceOf } from './store';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute)).toISOString();

describe('forgetting the stories of sagas that ended', () => {
  let dir: string;
  let database: OpenedDatabase<typeof schema>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'saga-store-'));
    database = openDatabase(join(dir, 'orchestrator.db'), schema, join(import.meta.dirname, 'migrations'));
  });
  afterEach(async () => {
    database.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A saga that started at minute 0, last changed at `updated`, with a trace entry and a step at minutes 1 and 2. */
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
          causationId: null,
          type: 'OrderRequested',
          producer: 'orders',
          consumer: 'orchestrator',
          direction: 'in',
          outcome: 'applied',
          note: null,
          occurredAt: at(minute),
          recordedAt: at(minute),
        },
      ]);
      insertSteps(db, [
        { orderId, step: 'verifyUser', outcome: 'started', messageId: `${orderId}-${minute}`, at: at(minute) },
      ]);
    }
  }
  const story = (orderId: string) => [traceOf(database.db, orderId).length, stepsOf(database.db, orderId).length];

  it('forgets the trace and steps of a saga that ended before the cutoff, and nothing else', () => {
    saga('ended-long-ago', 'CONFIRMED', 3);
    saga('cancelled-long-ago', 'CANCELLED', 3);
    saga('ended-since', 'CANCELLED', 20);
    saga('still-running', 'RUNNING', 3);
    saga('compensating', 'COMPENSATING', 3);

    expect(forgetStoriesEndedBefore(database.db, 'trace', new Date(at(10)), 100)).toBe(4);
    expect(forgetStoriesEndedBefore(database.db, 'steps', new Date(at(10)), 100)).toBe(4);

    expect(story('ended-long-ago')).toEqual([0, 0]);
    expect(story('cancelled-long-ago')).toEqual([0, 0]);
    expect(story('ended-since')).toEqual([2, 2]);
    expect(story('still-running')).toEqual([2, 2]);
    expect(story('compensating')).toEqual([2, 2]);
  });

  it('removes at most `limit` rows at once, oldest first', () => {
    saga('a', 'CONFIRMED', 3);
    saga('b', 'CONFIRMED', 3);

    expect(forgetStoriesEndedBefore(database.db, 'trace', new Date(at(10)), 3)).toBe(3);
    // Oldest first: both entries of minute 1 went, one of minute 2 is left.
    expect([...traceOf(database.db, 'a'), ...traceOf(database.db, 'b')].map((entry) => entry.recordedAt)).toEqual([
      at(2),
    ]);
    expect(forgetStoriesEndedBefore(database.db, 'trace', new Date(at(10)), 3)).toBe(1);
    expect(forgetStoriesEndedBefore(database.db, 'trace', new Date(at(10)), 3)).toBe(0);
    // The steps are a part of their own, with their own limit.
    expect(forgetStoriesEndedBefore(database.db, 'steps', new Date(at(10)), 3)).toBe(3);
    expect(forgetStoriesEndedBefore(database.db, 'steps', new Date(at(10)), 3)).toBe(1);
  });
});
