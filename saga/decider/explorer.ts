import { stepByMessage } from '../../contracts/steps';
import { decide } from './decide';
import { invariantViolations } from './harness';
import {
  isTerminal,
  pendingSteps,
  type DeadlinePassed,
  type SagaInput,
  type SagaPolicy,
  type SagaState,
} from './state';

/**
 * Test support: every path a saga can take under the last of `policy.definitions`, checked as
 * it goes. What reaches the saga: the participants' answers to the commands it issued, in any
 * order (`participant` scripts the answers each command may get); a cancel at any point; one
 * duplicate of an earlier answer; one answer dropped (never delivered); and deadlines passing
 * for any step still awaited or whose answer was dropped, so that answers also arrive after
 * their deadline. Throws, naming the path, at the first broken invariant, a duplicate that
 * emitted anything, a lost message no deadline covers, or a saga nothing can reach any more.
 */
export function explore({ policy, participant, start, cancel, budget = faults }: Exploration): Path[] {
  const definition = policy.definitions.at(-1)!;
  const index = stepByMessage(definition);
  const done: Path[] = [];
  // Where two orders of events lead to the same point, what follows is the same: walk it once.
  const seen = new Set<string>();
  const started = (commands: readonly { type: string }[]): Outstanding[] =>
    commands.flatMap((c) => {
      const step = index.get(c.type);
      return step?.outcome === 'started' ? [{ command: c.type, step: step.step }] : [];
    });

  const walk = (
    state: SagaState,
    inputs: SagaInput[],
    outstanding: Outstanding[],
    /** Steps whose answer was dropped: only their deadline can move the saga on. */
    silent: string[],
    used: Budget,
    clock: Date,
  ): void => {
    const point = JSON.stringify([state, outstanding.map((o) => o.command).sort(), [...silent].sort(), used, clock]);
    if (seen.has(point)) return;
    seen.add(point);
    const where = (more: SagaInput[] = []) => [...inputs, ...more].map(label).join(' → ');
    // A saga that nothing can reach any more, neither an answer nor a deadline, is stuck.
    const pendingDeadline = Object.values(state.deadlines).some((at) => at !== undefined);
    if (!isTerminal(state) && outstanding.length === 0 && !pendingDeadline) {
      throw new Error(`stuck ${state.status}: nothing to answer and no deadline, after ${where()}`);
    }
    if (outstanding.length === 0 && silent.length === 0) done.push({ inputs, state });
    const nexts: Array<{ input?: SagaInput; outstanding: Outstanding[]; silent: string[]; used: Budget }> = [];
    const spend = (kind: keyof Budget) => ({ ...used, [kind]: used[kind] + 1 });
    const has = (kind: keyof Budget) => used[kind] < budget[kind];

    outstanding.forEach((entry, i) => {
      const rest = outstanding.filter((_, j) => j !== i);
      for (const reply of participant[entry.command] ?? [])
        nexts.push({ input: reply(), outstanding: rest, silent, used });
      if (!has('drops')) return;
      // Only a deadline can make up for a lost message the saga still waits for.
      if (!isTerminal(state) && pendingSteps(state).includes(entry.step) && state.deadlines[entry.step] === undefined) {
        throw new Error(`${entry.command} or its answer lost, and ${entry.step} has no deadline, after ${where()}`);
      }
      // No input: an answer was dropped, and nothing reaches the saga.
      nexts.push({ outstanding: rest, silent: [...silent, entry.step], used: spend('drops') });
    });
    if (has('deadlines')) {
      for (const step of new Set([...outstanding.map((entry) => entry.step), ...silent])) {
        // A step no longer awaited has no deadline: its answer, if it comes, changes nothing.
        if (state.deadlines[step] === undefined) continue;
        const input: DeadlinePassed = { type: 'DeadlinePassed', data: { orderId: state.orderId, step } };
        nexts.push({ input, outstanding, silent: silent.filter((s) => s !== step), used: spend('deadlines') });
      }
    }
    if (has('cancels')) nexts.push({ input: cancel(), outstanding, silent, used: spend('cancels') });
    if (has('duplicates')) {
      const answers = inputs.filter((m) => index.get(m.type) && index.get(m.type)!.outcome !== 'started');
      const last = answers[answers.length - 1];
      if (last) nexts.push({ input: last, outstanding, silent, used: spend('duplicates') });
    }

    for (const next of nexts) {
      const { input } = next;
      if (!input) {
        walk(state, inputs, next.outstanding, next.silent, next.used, clock);
        continue;
      }
      const due = input.type === 'DeadlinePassed' ? state.deadlines[input.data.step] : undefined;
      const at = due && Date.parse(due) > clock.getTime() ? new Date(due) : clock;
      const decision = decide(state, input, { ...policy, now: at });
      const after = decision.state!;
      const violations = invariantViolations(definition, after);
      if (violations.length > 0) throw new Error(`${violations.join('; ')} after ${where([input])}`);
      if (next.used.duplicates > used.duplicates && decision.commands.length > 0) {
        const emitted = decision.commands.map((c) => c.type).join(', ');
        throw new Error(`duplicate ${input.type} emitted ${emitted} after ${where([input])}`);
      }
      walk(after, [...inputs, input], [...next.outstanding, ...started(decision.commands)], next.silent, next.used, at);
    }
  };
  const first = decide(undefined, start(), policy);
  const none = { cancels: 0, duplicates: 0, drops: 0, deadlines: 0 };
  walk(first.state!, [start()], started(first.commands), [], none, policy.now);
  return done;
}

export interface Exploration {
  policy: SagaPolicy;
  /** The answers each command may get, by command type. */
  participant: Partial<Record<string, Array<() => SagaInput>>>;
  /** The message that starts the saga. */
  start: () => SagaInput;
  /** The customer's cancel. */
  cancel: () => SagaInput;
  /** How many faults of each kind one path may hold. */
  budget?: Budget;
}

export interface Path {
  inputs: SagaInput[];
  state: SagaState;
}

/** A command sent and not yet answered, with the step whose deadline covers it. */
interface Outstanding {
  command: string;
  step: string;
}

/** By default: enough to combine every kind of fault, few enough to finish. */
const faults = { cancels: 1, duplicates: 1, drops: 1, deadlines: 2 };
type Budget = typeof faults;

/** How a path names an input. */
export const label = (input: SagaInput) =>
  input.type === 'DeadlinePassed' ? `deadline(${input.data.step})` : input.type;
