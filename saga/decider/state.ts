import type { CancelReason, OrderMessage } from '../../contracts';
import type { SagaDefinition, SagaFacts } from '../../contracts/steps';
import type { OutgoingFrom } from '../../contracts/topology';

export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'CONFIRMED' | 'CANCELLED';

/**
 * Where one step stands. `timed_out`: its deadline passed without an answer; a forward step
 * stays so, and is undone as if it happened, since only its answer may be missing.
 */
export type StepStatus = 'waiting' | 'pending' | 'succeeded' | 'failed' | 'timed_out';

export interface SagaState extends SagaFacts {
  /** The version of the step table the saga started under, and ends under. */
  definition: number;
  status: SagaStatus;
  /** Every step of its table. */
  steps: Record<string, StepStatus>;
  failure?: { reason: CancelReason; detail?: string };
  /** When each outstanding step gives up (ISO time); set as its command is sent. */
  deadlines: Partial<Record<string, string>>;
}

/** The orchestrator's own input: a step's deadline has come. Not a broker message. */
export interface DeadlinePassed {
  type: 'DeadlinePassed';
  data: { orderId: string; step: string };
}
/**
 * An operator's action on one saga (`POST /sagas/{orderId}/cancel`, `/retry`, `/extend`): who
 * acted and why, kept in the trace. Not a broker message.
 */
export type OperatorAction =
  | { type: 'CancelSaga'; data: Operated }
  | { type: 'RetrySaga'; data: Operated }
  | { type: 'ExtendSaga'; data: Operated & { byMs: number } };
interface Operated {
  orderId: string;
  /** The operator's user id. */
  by: string;
  reason: string;
}
export type OperatorActionType = OperatorAction['type'];

export type SagaInput = OrderMessage | DeadlinePassed | OperatorAction;

/**
 * What the decider is given rather than reads: the time, the timeouts set by configuration
 * (a step without one keeps its table's default) and the definitions it may run.
 */
export interface SagaPolicy {
  now: Date;
  timeoutMs: (step: string) => number | undefined;
  /** Oldest first; the last starts new sagas. */
  definitions: readonly SagaDefinition[];
}

/**
 * What became of an input: it moved the saga on, it did not fit and why, it came before the
 * saga it belongs to started and must be delivered again later (`early`), or its saga runs
 * under a definition this process does not know (`unknownDefinition`: another must take it).
 */
export type Outcome =
  | { kind: 'applied' }
  | { kind: 'ignored'; why: string }
  | { kind: 'early'; why: string }
  | { kind: 'unknownDefinition'; why: string };

/** What the saga sends: commands to the participants and the order's outcome to orders. */
export type SagaCommand = OutgoingFrom<'orchestrator'>;

export interface Decision {
  state: SagaState | undefined;
  commands: SagaCommand[];
  outcome: Outcome;
}

/** Whether a saga in each status has ended; a Record, so a new status must say. */
const ended: Record<SagaStatus, boolean> = { RUNNING: false, COMPENSATING: false, CONFIRMED: true, CANCELLED: true };
const statuses = Object.keys(ended) as SagaStatus[];
export const endedStatuses = statuses.filter((status) => ended[status]);
export const unfinishedStatuses = statuses.filter((status) => !ended[status]);

export const isTerminal = (state: SagaState) => ended[state.status];

export const applied = (state: SagaState, commands: SagaCommand[]): Decision => ({
  state,
  commands,
  outcome: { kind: 'applied' },
});

export const ignore = (state: SagaState | undefined, why: string): Decision => ({
  state,
  commands: [],
  outcome: { kind: 'ignored', why },
});

/**
 * The command that performs `step` for this saga. The table's records are checked against the
 * contract where the table is written (contracts/steps.ts), so what they build is a command.
 */
export function commandFor(definition: SagaDefinition, state: SagaState, step: string): SagaCommand {
  const record = definition.steps[step]!;
  return { type: record.command, data: record.build(state) } as SagaCommand;
}

/** The steps whose answer the saga is waiting for. */
export const pendingSteps = (state: SagaState): string[] =>
  Object.keys(state.steps).filter((step) => state.steps[step] === 'pending');

/** Why an answer or a deadline of a step that is not awaited changes nothing. */
export const notAwaited = (step: string, status: StepStatus | undefined) =>
  status === 'waiting' ? `${step} has not started` : `${step} already ${status}`;
