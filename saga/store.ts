import { and, asc, desc, eq, inArray, lt, lte, min, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { param, preparedQueries, rowParams, setParams, type SqliteDb } from '../db/sqlite';
import type { SagaState, SagaStatus } from './order-saga';
import { endedStatuses, unfinishedStatuses } from './state';
import type { Inbound } from '../contracts/topology';
import { earlyInputs, sagas, sagaTrace, type SagaRow, type TraceRow } from './sqlite/schema';
import { stepLog, type StepEntry } from './step-log';

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

/** Keeps a message that came before its saga started, until `takeEarly` when it starts. */
export const keepEarly = (db: SqliteDb, message: Inbound<'orchestrator'>, now: Date) =>
  db
    .insert(earlyInputs)
    .values({ messageId: message.messageId, orderId: message.data.orderId, message, receivedAt: now.toISOString() })
    .onConflictDoNothing()
    .run();

/** The messages kept for the saga of `orderId` until it started, in the order they came; removed. */
export function takeEarly(db: SqliteDb, orderId: string): Inbound<'orchestrator'>[] {
  const kept = queries(db).earlyOf.all({ orderId });
  if (kept.length > 0) db.delete(earlyInputs).where(eq(earlyInputs.orderId, orderId)).run();
  return kept.map((row) => row.message);
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

export const insertTrace = (db: SqliteDb, rows: Omit<TraceRow, 'seq'>[]) => {
  for (const row of rows) queries(db).insertTrace.run(row);
};

/**
 * Whether the saga of `orderId` ended before the cutoff: looked up per row, so that pruning walks
 * the oldest rows by their time index and stops at its limit, instead of every ended saga.
 */
const sagaEnded = (orderId: SQLiteColumn) =>
  sql`exists (select 1 from ${sagas} where ${sagas.orderId} = ${orderId} and ${inArray(sagas.status, endedStatuses)} and ${lt(sagas.updatedAt, param('cutoff'))})`;

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
  countUnfinished: db
    .select({ n: sql<number>`count(*)` })
    .from(sagas)
    .where(inArray(sagas.status, [...unfinishedStatuses]))
    .prepare(),
  insertTrace: db.insert(sagaTrace).values(rowParams(sagaTrace, 'seq')).prepare(),
  // Asked by every OrderRequested; it nearly always finds nothing.
  earlyOf: db
    .select()
    .from(earlyInputs)
    .where(eq(earlyInputs.orderId, param('orderId')))
    .orderBy(asc(earlyInputs.receivedAt))
    .prepare(),
  // Trace rows recorded before the cutoff, of sagas ended before it, oldest first.
  forgetTrace: db
    .delete(sagaTrace)
    .where(
      inArray(
        sagaTrace.seq,
        db
          .select({ seq: sagaTrace.seq })
          .from(sagaTrace)
          .where(and(lt(sagaTrace.recordedAt, param('cutoff')), sagaEnded(sagaTrace.orderId)))
          .orderBy(asc(sagaTrace.recordedAt))
          .limit(param('limit')),
      ),
    )
    .prepare(),
}));

/**
 * Forgets up to `limit` trace rows (and with them the step log) recorded before `cutoff` of sagas
 * that ended before it, oldest first; how many it removed. A running saga keeps its whole story.
 */
export function forgetTracesEndedBefore(db: SqliteDb, cutoff: Date, limit: number): number {
  return (queries(db).forgetTrace.run({ cutoff: cutoff.toISOString(), limit }) as { changes: number }).changes;
}

export const stepsOf = (db: SqliteDb, orderId: string) => stepLog(traceOf(db, orderId));

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
export function toSagaView(row: SagaRow, steps: StepEntry[]) {
  const { card: _card, ...state } = row.state;
  return {
    orderId: row.orderId,
    status: row.status,
    version: row.version,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    state,
    steps,
  };
}
export type SagaView = ReturnType<typeof toSagaView>;

export const toTraceEntry = ({ seq: _seq, orderId: _orderId, ...entry }: TraceRow) => entry;
export type TraceEntry = ReturnType<typeof toTraceEntry>;
