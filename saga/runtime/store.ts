import type { MessagingStore } from '../../broker/messaging/store';
import type { Inbound } from '../../contracts/topology';
import type { TraceContext } from '../../lib/tracing';
import type { SagaState } from '../decider/decide';
import { facetsOf } from '../decider/facets';
import type { SagaFilter } from './search';
import type { SagaRow, TraceRow } from './sqlite/schema';
import type { StepEntry } from '../trace/step-log';
import type { StateChange } from '../trace/state-change';

export type { SagaFilter, SagaRow, TraceRow };

/** What the orchestrator keeps: each order's saga, every message in and out of it, and inputs that came early. */
export interface SagaStore extends MessagingStore {
  findSaga(orderId: string): Promise<SagaRow | undefined>;
  /**
   * Inserts a saga (no `expectedVersion`) or advances it; throws when another writer moved it
   * since `expectedVersion`, so the input is tried again on what that writer saved. `trace`, the
   * trace context of the span that started the saga, is kept by the insert only.
   */
  saveSaga(
    state: SagaState,
    nextDeadlineAt: string | null,
    expectedVersion: number | undefined,
    now: Date,
    trace?: TraceContext,
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
  /**
   * When the saga that started first of those not ended started; undefined when every one has
   * ended. Read by the index of ends (`sagas_ended`): it reads the sagas not ended, never the others.
   */
  oldestUnfinishedStart(): Promise<string | undefined>;
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
  /**
   * The sagas `filter` finds, newest first (ties by order id, newest first too), at most `limit`;
   * `after` is the last saga of the page before, by order id. A first page reads about a page of
   * rows whatever is stored (an index in the listing's order per filter).
   */
  listSagas(filter: SagaFilter, limit: number, after?: string): Promise<SagaRow[]>;
  /** How many sagas `filter` finds in all: every match is read, so only when asked for. */
  countSagas(filter: SagaFilter): Promise<number>;
}

/** A saga as the API shows it: the sealed card stays inside. */
export function toSagaView(row: SagaRow, steps: StepEntry[]) {
  const { card: _card, ...state } = row.state;
  // Read off the state, as the columns searched were when it was saved.
  const { customerId, totalCents, reason, awaiting } = facetsOf(row.state);
  return {
    orderId: row.orderId,
    status: row.status,
    version: row.version,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    customerId,
    total: totalCents,
    reason,
    endedAt: row.endedAt,
    awaiting,
    state,
    steps,
  };
}
export type SagaView = ReturnType<typeof toSagaView>;

/** A trace row as the API shows it: its data and change, kept as JSON text, parsed. */
export const toTraceEntry = ({ seq: _seq, orderId: _orderId, data, change, ...entry }: TraceRow) => ({
  ...entry,
  data: data === null ? null : (JSON.parse(data) as Record<string, unknown>),
  change: change === null ? null : (JSON.parse(change) as StateChange),
});
export type TraceEntry = ReturnType<typeof toTraceEntry>;
