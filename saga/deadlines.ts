import { assertNever } from '../lib/assert-never';
import { advance } from './progress';
import {
  applied,
  commandFor,
  ignore,
  isTerminal,
  type Decision,
  type SagaInput,
  type SagaPolicy,
  type SagaState,
} from './state';
import { stepOf, type StepName } from '../contracts/steps';

/**
 * A step's deadline has come. A forward step that never answered fails the saga with
 * STEP_TIMEOUT and compensation starts, undoing that step too in case it happened; a commit or
 * compensation must finish whatever happens, so its command is sent again (participants act
 * once per order).
 */
export function onDeadline(state: SagaState, step: StepName, now: Date): Decision {
  const due = state.deadlines[step];
  if (!due || Date.parse(due) > now.getTime()) return ignore(state, `no deadline of ${step} has passed`);
  // The step was answered after all: the deadline goes, or it would come back on every tick.
  const stale = (why: string): Decision => {
    const { [step]: _dropped, ...deadlines } = state.deadlines;
    return { ...ignore(state, why), state: { ...state, deadlines } };
  };
  const timeOut = (change: Partial<SagaState>) => {
    if (isTerminal(state)) return stale(`saga already ${state.status}`);
    const failure = state.failure ?? { reason: 'STEP_TIMEOUT' as const, detail: step };
    const timedOut = [...(state.timedOut ?? []), step];
    const { state: next, commands } = advance({ ...state, ...change, failure, timedOut });
    return applied(next!, commands);
  };
  const resend = (waiting: boolean) =>
    waiting ? applied(state, [commandFor(state, step)]) : stale(`${step} is no longer awaited`);

  switch (step) {
    case 'verifyUser':
      return state.user === 'pending' ? timeOut({ user: 'timed_out' }) : stale(`user is ${state.user}`);
    case 'reserveStock':
      return state.stock === 'pending' ? timeOut({ stock: 'timed_out' }) : stale(`stock is ${state.stock}`);
    case 'settlePayment':
      return state.payment === 'pending' ? timeOut({ payment: 'timed_out' }) : stale(`payment is ${state.payment}`);
    case 'commitStock':
      return resend(state.stock === 'committing');
    case 'releaseStock':
      return resend(state.stock === 'releasing');
    case 'refundPayment':
      return resend(state.payment === 'refunding');
    default:
      return assertNever(step);
  }
}

/**
 * Keeps the deadlines in step with the decision: an answered step's deadline goes, every
 * command sent starts its step's clock. A saga that has ended awaits nothing: it ends only once
 * every answer it waited for has come.
 */
export function schedule(decision: Decision, input: SagaInput, { now, timeoutMs }: SagaPolicy): Decision {
  const state = decision.state!;
  if (isTerminal(state)) return { ...decision, state: { ...state, deadlines: {} } };
  const deadlines = { ...state.deadlines };
  const answered = input.type === 'DeadlinePassed' ? { step: input.data.step } : stepOf(input.type);
  if (answered) delete deadlines[answered.step];
  for (const command of decision.commands) {
    const started = stepOf(command.type);
    if (started?.outcome === 'started') {
      deadlines[started.step] = new Date(now.getTime() + timeoutMs(started.step)).toISOString();
    }
  }
  return { ...decision, state: { ...state, deadlines } };
}

/** The earliest deadline of a saga, or null: what the store indexes to find due sagas. */
export function nextDeadline(state: SagaState): string | null {
  const times = Object.values(state.deadlines).filter((at): at is string => at !== undefined);
  return times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b));
}
