import { stepByMessage, type SagaDefinition } from '../../contracts/steps';
import { advance } from './progress';
import {
  applied,
  commandFor,
  ignore,
  isTerminal,
  notAwaited,
  type Decision,
  type SagaInput,
  type SagaPolicy,
  type SagaState,
} from './state';

/**
 * A step's deadline has come. A forward step that never answered fails the saga with
 * STEP_TIMEOUT and compensation starts, undoing that step too in case it happened; a commit or
 * compensation must finish whatever happens, so its command is sent again (participants act
 * once per order).
 */
export function onDeadline(definition: SagaDefinition, state: SagaState, step: string, now: Date): Decision {
  const due = state.deadlines[step];
  if (!due || Date.parse(due) > now.getTime()) return ignore(state, `no deadline of ${step} has passed`);
  // The step was answered after all: the deadline goes, or it would come back on every tick.
  const stale = (why: string): Decision => {
    const { [step]: _dropped, ...deadlines } = state.deadlines;
    return { ...ignore(state, why), state: { ...state, deadlines } };
  };
  const status = state.steps[step];
  if (status !== 'pending') return stale(notAwaited(step, status));
  if (definition.steps[step]!.kind !== 'forward') return applied(state, [commandFor(definition, state, step)]);
  if (isTerminal(state)) return stale(`saga already ${state.status}`);
  const failure = state.failure ?? { reason: 'STEP_TIMEOUT' as const, detail: step };
  const { state: next, commands } = advance(definition, {
    ...state,
    steps: { ...state.steps, [step]: 'timed_out' },
    failure,
  });
  return applied(next!, commands);
}

/**
 * Keeps the deadlines in step with the decision: an answered step's deadline goes, every
 * command sent starts its step's clock. A saga that has ended awaits nothing: it ends only once
 * every answer it waited for has come.
 */
export function schedule(
  definition: SagaDefinition,
  decision: Decision,
  input: SagaInput,
  policy: SagaPolicy,
): Decision {
  const state = decision.state!;
  if (isTerminal(state)) return { ...decision, state: { ...state, deadlines: {} } };
  const deadlines = { ...state.deadlines };
  const index = stepByMessage(definition);
  const answered = input.type === 'DeadlinePassed' ? { step: input.data.step } : index.get(input.type);
  if (answered) delete deadlines[answered.step];
  for (const command of decision.commands) {
    const started = index.get(command.type);
    // A command sent again keeps its step's clock (an operator's retry); one whose clock ran out
    // lost its deadline above, as the input that answered it, and starts a new one.
    if (started?.outcome === 'started') {
      deadlines[started.step] ??= new Date(
        policy.now.getTime() + timeoutOf(definition, policy, started.step),
      ).toISOString();
    }
  }
  return { ...decision, state: { ...state, deadlines } };
}

/** How long `step` may take: as configured, or its table's default. */
export const timeoutOf = (definition: SagaDefinition, policy: SagaPolicy, step: string) =>
  policy.timeoutMs(step) ?? definition.steps[step]!.defaultTimeoutMs;

/** The earliest deadline of a saga, or null: what the store indexes to find due sagas. */
export function nextDeadline(state: SagaState): string | null {
  const times = Object.values(state.deadlines).filter((at): at is string => at !== undefined);
  return times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b));
}
