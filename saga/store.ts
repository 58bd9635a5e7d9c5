import { and, asc, desc, eq, inArray, lt, lte, min, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { param, preparedQueries, rowParams, setParams, type SqliteDb } from '../db/sqlite';
import type { SagaState, SagaStatus } from './order-saga';
import { endedStatuses, unfinishedStatuses } from './state';
import { sagas, sagaSteps, sagaTrace, type SagaRow, type StepRow, type TraceRow } from './schema';

export const findSaga = (db: SqliteDb, orderId: string) => queries(db).findSaga.get({ orderId });

/** Inserts or advances a saga; throws when another writer moved it since `expectedVersion`. */
export function saveSaga(
  db: SqliteDb,
  state: SagaState,
  nextDeadlineAt: string | null,
  expectedVersion: number | undefined,
  now: Date,
  traceparent?: string,
): void {
  const at = now.toISOString();
  const row = { orderId: state.orderId, status: state.status, state, nextDeadlineAt, updatedAt: at };
  if (expectedVersion === undefined) {
    queries(db).insertSaga.run({ ...row, startedAt: at, traceparent: traceparent ?? null });
    return;
  }
  const result = queries(db).advanceSaga.run({ ...row, state: JSON.stringify(state), expectedVersion }) as {
    changes: number;
  };
  if (result.changes !== 1) throw new Error(`saga ${state.orderId} changed concurrently; retrying`);
}

/** Sagas with a deadline at or before `now`, oldest deadline first. */
export const dueSagas = (db: SqliteDb, now: Date, limit: number) =>
  db
    .select()
    .from(sagas)
    .where(lte(sagas.nextDeadlineAt, now.toISOString()))
    .orderBy(asc(sagas.nextDeadlineAt))
    .limit(limit)
    .all();

/** When the next deadline of any saga comes, or undefined when none is set. */
export const earliestDeadline = (db: SqliteDb): string | undefined =>
  db
    .select({ at: min(sagas.nextDeadlineAt) })
    .from(sagas)
    .get()?.at ?? undefined;

/** Sagas that have not ended: what recovery resumes after a restart (by the status index, not a scan). */
/** Sagas running or compensating, for the metrics. */
export const countUnfinished = (db: SqliteDb) => queries(db).countUnfinished.get()!.n;

export const unfinishedSagas = (db: SqliteDb) =>
  db.select().from(sagas).where(inArray(sagas.status, unfinishedStatuses)).all();

export const insertSteps = (db: SqliteDb, rows: Omit<StepRow, 'seq'>[]) => {
  for (const row of rows) queries(db).insertStep.run(row);
};

export const insertTrace = (db: SqliteDb, rows: Omit<TraceRow, 'seq'>[]) => {
  for (const row of rows) queries(db).insertTrace.run(row);
};

/**
 * Whether the saga of `orderId` ended before the cutoff: looked up per row, so that pruning walks
 * the oldest rows by their time index and stops at its limit, instead of every ended saga.
 */
const sagaEnded = (orderId: SQLiteColumn) =>
  sql`exists (select 1 from ${sagas} where ${sagas.orderId} = ${orderId} and ${inArray(sagas.status, endedStatuses)} and ${lt(sagas.updatedAt, param('cutoff'))})`;

/** Deletes up to `limit` rows of `table` recorded (`at`) before the cutoff, of sagas ended before it, oldest first. */
const forgetOldestEnded = (db: SqliteDb, table: typeof sagaTrace | typeof sagaSteps, at: SQLiteColumn) =>
  db
    .delete(table)
    .where(
      inArray(
        table.seq,
        db
          .select({ seq: table.seq })
          .from(table)
          .where(and(lt(at, param('cutoff')), sagaEnded(table.orderId)))
          .orderBy(asc(at))
          .limit(param('limit')),
      ),
    )
    .prepare();

/** The saga's hot queries, built once per connection: every message runs them. */
const queries = preparedQueries((db) => ({
  findSaga: db
    .select()
    .from(sagas)
    .where(eq(sagas.orderId, param('orderId')))
    .prepare(),
  insertSaga: db
    .insert(sagas)
    .values({ ...rowParams(sagas), version: 1 })
    .prepare(),
  advanceSaga: db
    .update(sagas)
    .set({ ...setParams('status', 'state', 'nextDeadlineAt', 'updatedAt'), version: sql`${sagas.version} + 1` })
    .where(and(eq(sagas.orderId, param('orderId')), eq(sagas.version, param('expectedVersion'))))
    .prepare(),
  insertStep: db.insert(sagaSteps).values(rowParams(sagaSteps, 'seq')).prepare(),
  countUnfinished: db
    .select({ n: sql<number>`count(*)` })
    .from(sagas)
    .where(inArray(sagas.status, [...unfinishedStatuses]))
    .prepare(),
  insertTrace: db.insert(sagaTrace).values(rowParams(sagaTrace, 'seq')).prepare(),
  forgetTrace: forgetOldestEnded(db, sagaTrace, sagaTrace.recordedAt),
  forgetSteps: forgetOldestEnded(db, sagaSteps, sagaSteps.at),
}));

/**
 * Forgets up to `limit` rows of one part of sagas' stories, the `trace` or the `steps`, recorded
 * before `cutoff` of sagas that ended before it, oldest first; how many it removed. A running
 * saga keeps its whole story.
 */
export function forgetStoriesEndedBefore(db: SqliteDb, part: 'trace' | 'steps', cutoff: Date, limit: number): number {
  const { forgetTrace, forgetSteps } = queries(db);
  const forget = part === 'trace' ? forgetTrace : forgetSteps;
  return (forget.run({ cutoff: cutoff.toISOString(), limit }) as { changes: number }).changes;
}

export const stepsOf = (db: SqliteDb, orderId: string) =>
  db.select().from(sagaSteps).where(eq(sagaSteps.orderId, orderId)).orderBy(asc(sagaSteps.seq)).all();

export const traceOf = (db: SqliteDb, orderId: string) =>
  db.select().from(sagaTrace).where(eq(sagaTrace.orderId, orderId)).orderBy(asc(sagaTrace.seq)).all();

/** Newest first, optionally by status; the cursor is the last saga's order id. */
export function listSagas(db: SqliteDb, limit: number, status?: SagaStatus, after?: string) {
  const from = after ? findSaga(db, after) : undefined;
  return db
    .select()
    .from(sagas)
    .where(
      and(
        status ? eq(sagas.status, status) : undefined,
        from
          ? or(
              lt(sagas.startedAt, from.startedAt),
              and(eq(sagas.startedAt, from.startedAt), lt(sagas.orderId, from.orderId)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(sagas.startedAt), desc(sagas.orderId))
    .limit(limit)
    .all();
}

/** A saga as the API shows it: the sealed card stays inside. */
export function toSagaView(row: SagaRow, steps: StepRow[]) {
  const { card: _card, ...state } = row.state;
  return {
    orderId: row.orderId,
    status: row.status,
    version: row.version,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    state,
    steps: steps.map(({ step, outcome, messageId, at }) => ({ step, outcome, messageId, at })),
  };
}
export type SagaView = ReturnType<typeof toSagaView>;

export const toTraceEntry = ({ seq: _seq, orderId: _orderId, ...entry }: TraceRow) => entry;
export type TraceEntry = ReturnType<typeof toTraceEntry>;
