import { serviceNames } from '../../contracts/services';
import type { TraceEntry } from '../runtime/store';
import { awaiting, formatEnd, formatOffset, isCompensation, offsetMs, type SagaEnd } from './trace-format';

/**
 * A saga drawn as a sequence diagram: one lifeline per service, an arrow per message with its
 * time offset, messages sent together (in parallel) marked, compensations drawn double, the
 * end and the total time under it. Pure, like trace-format.ts: the CLI prints what it returns.
 */

/** Left to right in the order a saga reaches them. */
const SERVICES: readonly string[] = serviceNames;
const LANE_WIDTH = 14;
const OFFSET_WIDTH = 9;

/** Messages one handling sent together (same cause): their steps run in parallel. */
function parallelIds(messages: readonly TraceEntry[]): Set<string> {
  const sentBy = new Map<string, string[]>();
  for (const m of messages)
    if (m.direction === 'out' && m.causationId)
      sentBy.set(m.causationId, [...(sentBy.get(m.causationId) ?? []), m.messageId]);
  return new Set([...sentBy.values()].filter((ids) => ids.length > 1).flat());
}

const lanesOf = (messages: readonly TraceEntry[]) => [
  ...SERVICES,
  ...new Set(messages.flatMap((m) => [m.producer, m.consumer]).filter((name) => !SERVICES.includes(name))),
];

const center = (lane: number) => lane * LANE_WIDTH + Math.floor(LANE_WIDTH / 2);

/** ` after 0.055 s`: from the first message to the last that counted (a late, ignored answer does not). */
function totalTime(messages: readonly TraceEntry[]): string {
  const origin = messages[0]?.occurredAt;
  const last = messages.findLast((m) => m.outcome !== 'ignored');
  return origin && last ? ` after ${(offsetMs(last, origin) / 1000).toFixed(3)} s` : '';
}

function arrow(lanes: string[], entry: TraceEntry): string {
  const row: string[] = Array.from({ length: lanes.length * LANE_WIDTH }, (_, x) =>
    lanes.some((_lane, i) => center(i) === x) ? '│' : ' ',
  );
  const from = center(lanes.indexOf(entry.producer));
  const to = center(lanes.indexOf(entry.consumer));
  const fill = entry.outcome === 'ignored' ? '┄' : isCompensation(entry.type) ? '═' : '─';
  const step = to > from ? 1 : -1;
  for (let x = from + step; x !== to; x += step) row[x] = fill;
  row[from] = step > 0 ? '├' : '┤';
  row[to - step] = step > 0 ? '▶' : '◀';
  return row.join('').trimEnd();
}

function label(entry: TraceEntry, parallel: boolean): string {
  const outcome = entry.outcome === 'ignored' ? `  ignored${entry.note ? ` (${entry.note})` : ''}` : '';
  return `${parallel ? '‖ ' : '  '}${entry.type}${outcome}${isCompensation(entry.type) ? '  ↩ compensation' : ''}`;
}

/**
 * The picture, one line per message under a header of service names, then the end and the
 * total time, and what a running saga still awaits at `now`.
 */
export function drawSaga(messages: readonly TraceEntry[], saga: SagaEnd | null, now: Date): string[] {
  const lanes = lanesOf(messages);
  const header = lanes.map((name) => name.padStart(Math.floor((LANE_WIDTH + name.length) / 2)).padEnd(LANE_WIDTH));
  const parallel = parallelIds(messages);
  const origin = messages[0]?.occurredAt;
  const rows = messages.map((entry) => {
    const offset = formatOffset(offsetMs(entry, origin!)).padStart(OFFSET_WIDTH - 1);
    return `${offset} ${arrow(lanes, entry).padEnd(lanes.length * LANE_WIDTH)}${label(entry, parallel.has(entry.messageId))}`;
  });
  const legend = parallel.size > 0 ? ['‖ sent together: steps in parallel   ═ compensation'] : [];
  return [
    ' '.repeat(OFFSET_WIDTH) + header.join('').trimEnd(),
    ...rows,
    `${formatEnd(saga)}${totalTime(messages)}`,
    ...awaiting(saga, now).map((line) => `  awaiting ${line}`),
    ...legend,
  ];
}

/** The same picture as a Mermaid `sequenceDiagram`, which GitHub renders in Markdown. */
export function mermaidSaga(messages: readonly TraceEntry[], saga: SagaEnd | null, now: Date): string[] {
  const lanes = lanesOf(messages);
  const parallel = parallelIds(messages);
  const origin = messages[0]?.occurredAt;
  const line = (entry: TraceEntry) => {
    const kind = entry.outcome === 'ignored' ? '-x' : isCompensation(entry.type) ? '-->>' : '->>';
    const notes = [
      formatOffset(offsetMs(entry, origin!)),
      ...(isCompensation(entry.type) ? ['compensation'] : []),
      ...(entry.outcome === 'ignored' ? [`ignored${entry.note ? `: ${entry.note}` : ''}`] : []),
    ];
    return `${entry.producer}${kind}${entry.consumer}: ${entry.type} (${notes.join(', ')})`;
  };
  const body: string[] = [];
  for (let i = 0; i < messages.length; i++) {
    const entry = messages[i]!;
    if (!parallel.has(entry.messageId)) {
      body.push(`  ${line(entry)}`);
      continue;
    }
    // A parallel group: the messages with the same cause that follow one another.
    const group = [entry];
    while (messages[i + 1]?.causationId === entry.causationId && parallel.has(messages[i + 1]!.messageId))
      group.push(messages[++i]!);
    body.push(...group.flatMap((member, n) => [n === 0 ? '  par' : '  and', `    ${line(member)}`]), '  end');
  }
  return [
    'sequenceDiagram',
    ...lanes.map((name) => `  participant ${name}`),
    ...body,
    `  Note over ${lanes[0]},${lanes.at(-1)}: ${formatEnd(saga)}${totalTime(messages)}`,
    ...awaiting(saga, now).map((line) => `  Note over orchestrator: awaiting ${line}`),
  ];
}
