import type { MessagingStore } from '../../broker/messaging/store';
import type { Inbound } from '../../contracts/topology';
import type { SagaState, SagaStatus } from '../decider/decide';
import type { SagaRow, TraceRow } from './sqlite/schema';
import type { StepEntry } from '../trace/step-log';

export type { SagaRow, TraceRow };

/** What the orchestrator keeps: each order's saga, every message in and out of it, and inputs that came early. */
export interface SagaStore extends MessagingStore {
  findSaga(orderId: string): Promise<SagaRow | undefined>;
  /**
   * Inserts a saga (no `expectedVersion`) or advances it; throws when another writer moved it
   * since `expectedVersion`, so the input is tried again on what that writer saved.
   */
  saveSaga(
    state: SagaState,
    nextDeadlineAt: string | null,
    expectedVersion: number | undefined,
    now: Date,
    traceparent?: string,
  ): Promise<void>;
  /** Keeps a message that came before its saga started, until `takeEarly` when it starts. */
  keepEarly(message: Inbound<'orchestrator'>, now: Date): Promise<void>;
  /** The messages kept for the saga of `orderId` until it started, in the order they came; removed. */
  takeEarly(orderId: string): Promise<Inbound<'orchestrator'>[]>;
  /** Sagas with a deadline at or before `now`, oldest deadline first. */
  dueSagas(now: Date, limit: number): Promise<SagaRow[]>;
  /** When the next deadline of any saga comes, or undefined when none is set. */
  earliestDeadline(): Promise<string | undefined>;
  /** Sagas running or compensating, for the metrics. */
  countUnfinished(): Promise<number>;
  /** Sagas that have not ended: what recovery resumes after a restart (by the status index, not a scan). */
  unfinishedSagas(): Promise<SagaRow[]>;
  insertTrace(rows: readonly Omit<TraceRow, 'seq'>[]): Promise<void>;
  /** Every message of the saga of `orderId`, in the order recorded. */
  traceOf(orderId: string): Promise<TraceRow[]>;
  /**
   * Forgets up to `limit` trace rows (and with them the step log) recorded before `cutoff` of
   * sagas that ended before it, oldest first; how many it removed. A running saga keeps its whole story.
   */
  forgetTracesEndedBefore(cutoff: Date, limit: number): Promise<number>;
  /** Newest first, optionally by status; the cursor is the last saga's order id. */
  listSagas(limit: number, status?: SagaStatus, after?: string): Promise<SagaRow[]>;
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
