/** What `whyStuck` needs of a saga (a SagaView, from the store or GET /sagas/{orderId}). */
export interface SagaProgress {
  status: string;
  updatedAt: string;
  state: { deadlines?: Partial<Record<string, string>> };
}

/**
 * Why a saga that has not ended looks stuck at `now`, naming the steps it waits on; undefined
 * when it does not. Stuck is a step past its deadline (the deadline timer should have acted)
 * or nothing heard for longer than `quietMs`. Pure: the CLI passes the clock in.
 */
export function whyStuck(saga: SagaProgress, now: Date, quietMs: number): string | undefined {
  if (saga.status === 'CONFIRMED' || saga.status === 'CANCELLED') return undefined;
  const deadlines = Object.entries(saga.state.deadlines ?? {}).filter((entry): entry is [string, string] => !!entry[1]);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const overdue = deadlines.filter(([, due]) => Date.parse(due) < now.getTime());
  if (overdue.length > 0)
    return `past the deadline of ${overdue.map(([step, due]) => `${step} by ${seconds(now.getTime() - Date.parse(due))}`).join(', ')}`;
  const quiet = now.getTime() - Date.parse(saga.updatedAt);
  if (quiet <= quietMs) return undefined;
  const waitingOn = deadlines.map(([step]) => step).join(', ') || 'no step (none has a deadline)';
  return `nothing heard for ${seconds(quiet)}, waiting on ${waitingOn}`;
}

/** `90s`, `5m`, `2h`, `500ms` in milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
