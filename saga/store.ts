import { and, asc, desc, eq, lt, lte, min, notInArray, or } from 'drizzle-orm';
import type { SqliteDb } from '../db/sqlite';
import type { SagaState, SagaStatus } from './order-saga';
import { sagas, sagaSteps, sagaTrace, type SagaRow, type StepRow, type TraceRow } from './schema';

export const findSaga = (db: SqliteDb, orderId: string) =>
  db.select().from(sagas).where(eq(sagas.orderId, orderId)).get();

/** Inserts or advances a saga; throws when another writer moved it since `expectedVersion`. */
export function saveSaga(
  db: SqliteDb,
  state: SagaState,
  nextDeadlineAt: string | null,
  expectedVersion: number | undefined,
  now: Date,
): void {
  const at = now.toISOString();
  if (expectedVersion === undefined) {
    db.insert(sagas)
      .values({
        orderId: state.orderId,
        status: state.status,
        version: 1,
        state,
        nextDeadlineAt,
        startedAt: at,
        updatedAt: at,
      })
      .run();
    return;
  }
  const result = db
    .update(sagas)
    .set({ status: state.status, version: expectedVersion + 1, state, nextDeadlineAt, updatedAt: at })
    .where(and(eq(sagas.orderId, state.orderId), eq(sagas.version, expectedVersion)))
    .run() as { changes: number };
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

/** Sagas that have not ended: what recovery resumes after a restart. */
export const unfinishedSagas = (db: SqliteDb) =>
  db
    .select()
    .from(sagas)
    .where(notInArray(sagas.status, ['CONFIRMED', 'CANCELLED']))
    .all();

export const insertSteps = (db: SqliteDb, rows: Omit<StepRow, 'seq'>[]) => {
  if (rows.length > 0) db.insert(sagaSteps).values(rows).run();
};

export const insertTrace = (db: SqliteDb, rows: Omit<TraceRow, 'seq'>[]) => {
  if (rows.length > 0) db.insert(sagaTrace).values(rows).run();
};

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
