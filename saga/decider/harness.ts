import { expect } from 'vitest';
import type { SagaDefinition } from '../../contracts/steps';
import { decide } from './decide';
import type { Decision, SagaInput, SagaPolicy, SagaState, SagaStatus, StepStatus } from './state';

/**
 * Test support: a given/when/then harness and the invariants of any saga, over whatever step
 * table it is given, so a table's tests, or a new table's, need nothing of the order saga's.
 */

/** What every saga must hold after every input, read from its table alone. */
export function invariantViolations(definition: SagaDefinition, state: SagaState | undefined): string[] {
  if (!state) return [];
  const broken: string[] = [];
  const steps = Object.entries(definition.steps);
  const status = (step: string) => state.steps[step];
  const happened = (step: string) => status(step) === 'succeeded' || status(step) === 'timed_out';
  if (state.status === 'CONFIRMED') {
    if (state.failure) broken.push(`CONFIRMED with failure ${state.failure.reason}`);
    for (const [step, record] of steps) {
      if (record.kind !== 'compensation' && status(step) !== 'succeeded')
        broken.push(`CONFIRMED with ${step} ${status(step)}`);
      if (record.kind === 'compensation' && status(step) !== 'waiting')
        broken.push(`CONFIRMED with ${step} ${status(step)}`);
    }
  }
  if (state.status === 'CANCELLED') {
    if (!state.failure) broken.push('CANCELLED without a failure');
    for (const [step, record] of steps) {
      // A saga ends cancelled only once every step that happened is undone and every answer it owes has come.
      if (record.undoneBy && happened(step) && status(record.undoneBy) !== 'succeeded')
        broken.push(
          `CANCELLED with ${step} ${status(step)} not undone (${record.undoneBy} ${status(record.undoneBy)})`,
        );
      if (status(step) === 'pending' && (record.kind !== 'forward' || record.undoneBy))
        broken.push(`CANCELLED owing ${step}`);
    }
  }
  if (state.failure && state.status === 'RUNNING') broken.push('failure recorded but still RUNNING');
  for (const [step, record] of steps) {
    const undo = record.undoneBy;
    const siblingsInFlight = steps.some(([other, r]) => r.undoneBy === undo && status(other) === 'pending');
    if (status(step) === 'timed_out' && undo && status(undo) === 'waiting' && !siblingsInFlight)
      broken.push(`${step} timed out and was left undone`);
  }
  return broken;
}

export interface Expectation<Command> {
  /** The exact commands emitted (order-insensitive), type and data. */
  commands?: Command[];
  status?: SagaStatus;
  /** The status of each step named. */
  steps?: Partial<Record<string, StepStatus>>;
  /** `null` asserts there is no failure. */
  failure?: SagaState['failure'] | null;
  /** `'applied'`, or the input was ignored for a reason matching the pattern. */
  outcome?: 'applied' | { ignored: RegExp };
}

export const byType = <C extends { type: string }>(commands: readonly C[]) =>
  [...commands].sort((a, b) => a.type.localeCompare(b.type));

/**
 * given(...history).when(input).then(expected) over `definition`, with the clock at `policy.now`
 * and moved on to each deadline a history passes. `check` adds a table's own assertions.
 */
export function harness<Command extends { type: string }, Extra = object>(
  policy: SagaPolicy,
  check: (state: SagaState | undefined, expected: Extra) => void = () => {},
) {
  const definition = policy.definitions.at(-1)!;
  const expectInvariants = (state: SagaState | undefined) => expect(invariantViolations(definition, state)).toEqual([]);

  /** Folds decide over earlier inputs; every one must apply and keep the invariants. */
  function fold(history: SagaInput[]): SagaState | undefined {
    let state: SagaState | undefined;
    let clock = policy.now;
    for (const input of history) {
      const due = input.type === 'DeadlinePassed' ? state?.deadlines[input.data.step] : undefined;
      if (due && Date.parse(due) > clock.getTime()) clock = new Date(due);
      const decision = decide(state, input, { ...policy, now: clock });
      expect(decision.outcome, `given ${input.type} applies`).toEqual({ kind: 'applied' });
      expectInvariants(decision.state);
      state = decision.state;
    }
    return state;
  }

  function given(...history: SagaInput[]) {
    const state = fold(history);
    return {
      state,
      /** Applies one more input, `afterMs` after the fixed clock (deadlines are relative to it). */
      when(incoming: SagaInput, afterMs = 0) {
        const decision = decide(state, incoming, { ...policy, now: new Date(policy.now.getTime() + afterMs) });
        expectInvariants(decision.state);
        return {
          decision,
          then(expected: Expectation<Command> & Extra): Decision {
            if (expected.commands) expect(byType(decision.commands)).toEqual(byType(expected.commands));
            if (expected.outcome === 'applied') expect(decision.outcome).toEqual({ kind: 'applied' });
            else if (expected.outcome) {
              expect(decision.outcome.kind).toBe('ignored');
              if (decision.outcome.kind === 'ignored') expect(decision.outcome.why).toMatch(expected.outcome.ignored);
            }
            const after = decision.state;
            if (expected.status) expect(after?.status).toBe(expected.status);
            for (const [step, status] of Object.entries(expected.steps ?? {}))
              expect(after?.steps[step], step).toBe(status);
            if (expected.failure === null) expect(after?.failure).toBeUndefined();
            else if (expected.failure) expect(after?.failure).toEqual(expected.failure);
            check(after, expected);
            return decision;
          },
          /** Ignored: a reason, no commands, and the very same state. */
          thenIgnored(why: RegExp): Decision {
            expect(decision.outcome.kind).toBe('ignored');
            if (decision.outcome.kind === 'ignored') expect(decision.outcome.why).toMatch(why);
            expect(decision.commands).toEqual([]);
            expect(decision.state).toBe(state);
            return decision;
          },
        };
      },
    };
  }

  return {
    given,
    fold,
    expectInvariants,
    invariantViolations: (state: SagaState | undefined) => invariantViolations(definition, state),
  };
}
