import type { SagaState } from '../decider/state';

/**
 * What one input changed in a saga's state: each field that moved, as `[before, after]`
 * (null where it was or became absent). A map of the state (`steps`, `deadlines`, `results`)
 * is compared entry by entry, named `steps.payment`. The sealed card is left out: it never
 * changes, and the trace shows it where it came, in OrderRequested's data.
 */
export type StateChange = Record<string, [before: unknown, after: unknown]>;

const maps = new Set<keyof SagaState>(['steps', 'deadlines', 'results']);

/** The fields `after` changed from `before` (a saga that starts changes every field it has); pure. */
export function stateChange(before: SagaState | undefined, after: SagaState | undefined): StateChange {
  const change: StateChange = {};
  // The decider keeps what it does not change by reference: only two objects are compared as JSON.
  const compare = (name: string, was: unknown, is: unknown) => {
    if (was === is) return;
    const both = typeof was === 'object' && was !== null && typeof is === 'object' && is !== null;
    if (!both || JSON.stringify(was) !== JSON.stringify(is)) change[name] = [was ?? null, is ?? null];
  };
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})] as (keyof SagaState)[]);
  for (const key of keys) {
    if (key === 'card') continue;
    const was = before?.[key];
    const is = after?.[key];
    if (was === is) continue;
    if (!maps.has(key)) {
      compare(key, was, is);
      continue;
    }
    const entries = { ...(was as object | undefined), ...(is as object | undefined) };
    for (const entry of Object.keys(entries))
      compare(
        `${key}.${entry}`,
        (was as Record<string, unknown> | undefined)?.[entry],
        (is as Record<string, unknown> | undefined)?.[entry],
      );
  }
  return change;
}
