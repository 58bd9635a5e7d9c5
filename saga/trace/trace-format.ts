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

const UNDER = '    ';

/** The message's data as one line of JSON, under it; nothing for a row recorded before the trace kept it. */
export function formatPayload(entry: TraceEntry): string[] {
  return entry.data === null ? [] : [`${UNDER}${JSON.stringify(entry.data)}`];
}

/** `    steps.settlePayment: pending → succeeded`: a line per field the input changed in the saga's state. */
export function formatChange(entry: TraceEntry): string[] {
  return Object.entries(entry.change ?? {}).map(
    ([field, [before, after]]) => `${UNDER}${field}: ${formatValue(before)} → ${formatValue(after)}`,
  );
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2}\.\d{3})Z$/;
const LONGEST_JSON = 60;

/**
 * A value of the saga's state, short: `–` where absent, a time (a deadline) only its time of
 * day, as a saga lasts minutes, not days; a word as it is; anything else as JSON, cut at 60
 * characters: it is mostly a reply's data kept as the step's result, whole in `--payload` and `--json`.
 */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return ISO_TIME.exec(value)?.[1] ?? value;
  const json = JSON.stringify(value);
  return json.length > LONGEST_JSON ? `${json.slice(0, LONGEST_JSON)}…` : json;
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

/** One way of printing: the CLI picks one, `--follow` calls `message` as messages arrive. */
export interface Renderer {
  /** The lines of one message. */
  message(entry: TraceEntry, origin: string): string[];
  end(orderId: string, saga: SagaEnd | null): string;
}

/** A line per message and under it what it changed; with `payload`, its data before that. */
export function textRenderer({ payload = false } = {}): Renderer {
  return {
    message: (entry, origin) => [
      formatMessage(entry, origin),
      ...(payload ? formatPayload(entry) : []),
      ...formatChange(entry),
    ],
    end: (_orderId, saga) => formatEnd(saga),
  };
}

export const jsonRenderer: Renderer = {
  message: (entry, origin) => [messageJson(entry, origin)],
  end: endJson,
};

/** A whole trace: the lines of each message, then the state line. Offsets count from the first message. */
export function renderTrace(
  renderer: Renderer,
  orderId: string,
  messages: TraceEntry[],
  saga: SagaEnd | null,
): string[] {
  const origin = messages[0]?.occurredAt;
  return [...(origin ? messages.flatMap((entry) => renderer.message(entry, origin)) : []), renderer.end(orderId, saga)];
}
