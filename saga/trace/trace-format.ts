import type { MessageType } from '../../contracts';
import { steps, stepOf } from '../../contracts/steps';
import type { SagaView, TraceEntry } from '../runtime/store';

/**
 * Pure rendering of a saga trace for the event-trace CLI: text lines for people, JSON lines
 * for tools. No I/O here; the CLI writes what these return.
 */

/** What the final line needs of a saga: its status, once cancelled why, and while it runs the deadlines it awaits. */
export type SagaEnd = Pick<SagaView, 'status'> & {
  state: { failure?: { reason: string; detail?: string }; deadlines?: Partial<Record<string, string>> };
};
/** One row of `saga-shop sagas`. */
export type SagaSummary = Pick<SagaView, 'orderId' | 'status' | 'startedAt' | 'updatedAt'>;

export const isFinished = (saga: SagaEnd | null): boolean =>
  saga?.status === 'CONFIRMED' || saga?.status === 'CANCELLED';

/** A command that undoes another step, or the reply to one (see `steps` in contracts/steps.ts). */
export function isCompensation(type: string): boolean {
  const step = stepOf(type as MessageType)?.step;
  return step !== undefined && steps[step].kind === 'compensation';
}

/** Milliseconds from `origin` (the first message's time) to this message. */
export const offsetMs = (entry: Pick<TraceEntry, 'occurredAt'>, origin: string): number =>
  Date.parse(entry.occurredAt) - Date.parse(origin);

/** `+0.012s`; negative when a producer's clock runs behind the first message's. */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${(Math.abs(ms) / 1000).toFixed(3)}s`;
}

function outcomeText(entry: TraceEntry): string {
  if (entry.outcome !== 'ignored') return entry.outcome;
  return entry.note ? `ignored (${entry.note})` : 'ignored';
}

/** `+0.012s  orchestrator → products   ReleaseStock               sent  ↩ compensation` */
export function formatMessage(entry: TraceEntry, origin: string): string {
  const route = `${entry.producer} → ${entry.consumer}`;
  const mark = isCompensation(entry.type) ? '  ↩ compensation' : '';
  return `${formatOffset(offsetMs(entry, origin)).padStart(8)}  ${route.padEnd(24)} ${entry.type.padEnd(26)} ${outcomeText(entry)}${mark}`;
}

/** `CONFIRMED`, `CANCELLED PAYMENT_DECLINED (card_declined)`, or `still RUNNING`. */
export function formatEnd(saga: SagaEnd | null): string {
  if (!saga) return 'no saga state (no message was applied)';
  if (saga.status === 'CANCELLED') {
    const failure = saga.state.failure;
    if (!failure) return 'CANCELLED';
    return `CANCELLED ${failure.reason}${failure.detail ? ` (${failure.detail})` : ''}`;
  }
  if (saga.status === 'CONFIRMED') return 'CONFIRMED';
  return `still ${saga.status}`;
}

/**
 * What a running saga still awaits, soonest deadline first: `settlePayment, deadline in 8.2 s`
 * (or `past its deadline by 1.0 s`). Nothing for a saga that has ended.
 */
export function awaiting(saga: SagaEnd | null, now: Date): string[] {
  if (!saga || isFinished(saga)) return [];
  return Object.entries(saga.state.deadlines ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([, a], [, b]) => a.localeCompare(b))
    .map(([step, due]) => {
      const ms = Date.parse(due) - now.getTime();
      const seconds = `${(Math.abs(ms) / 1000).toFixed(1)} s`;
      return `${step}, ${ms >= 0 ? `deadline in ${seconds}` : `past its deadline by ${seconds}`}`;
    });
}

export function messageJson(entry: TraceEntry, origin: string): string {
  return JSON.stringify({
    kind: 'message',
    offsetMs: offsetMs(entry, origin),
    ...entry,
    compensation: isCompensation(entry.type),
  });
}

export function endJson(orderId: string, saga: SagaEnd | null): string {
  const failure = saga?.state.failure;
  return JSON.stringify({
    kind: 'end',
    orderId,
    status: saga?.status ?? null,
    terminal: isFinished(saga),
    ...(saga?.status === 'CANCELLED' && failure ? { reason: failure.reason, detail: failure.detail ?? null } : {}),
  });
}

const pad = (status: string) => status.padEnd(12);
export const formatSagaRow = (s: SagaSummary) => `${s.orderId}  ${pad(s.status)}  ${s.startedAt}  ${s.updatedAt}`;
export const sagaRowJson = (s: SagaSummary) =>
  JSON.stringify({ orderId: s.orderId, status: s.status, startedAt: s.startedAt, updatedAt: s.updatedAt });

/** One way of printing: the CLI picks one, `--follow` calls `message` as messages arrive. */
export interface Renderer {
  message(entry: TraceEntry, origin: string): string;
  end(orderId: string, saga: SagaEnd | null): string;
}

export const textRenderer: Renderer = {
  message: formatMessage,
  end: (_orderId, saga) => formatEnd(saga),
};

/** The lines of `saga-shop sagas`: a header and a row per saga, each with its `note` when it has one. */
export function sagaTable(rows: SagaSummary[], note: (row: SagaSummary) => string | undefined = () => undefined) {
  if (rows.length === 0) return ['no sagas'];
  return [
    `${'ORDER ID'.padEnd(36)}  ${pad('STATUS')}  ${'STARTED'.padEnd(24)}  UPDATED`,
    ...rows.map((row) => [formatSagaRow(row), note(row)].filter(Boolean).join('  ')),
  ];
}

export const jsonRenderer: Renderer = {
  message: messageJson,
  end: endJson,
};

/** A whole trace: one line per message, then the state line. Offsets count from the first message. */
export function renderTrace(
  renderer: Renderer,
  orderId: string,
  messages: TraceEntry[],
  saga: SagaEnd | null,
): string[] {
  const origin = messages[0]?.occurredAt;
  return [...(origin ? messages.map((entry) => renderer.message(entry, origin)) : []), renderer.end(orderId, saga)];
}
