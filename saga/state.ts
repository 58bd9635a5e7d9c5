import type { CancelReason, OrderLine, OrderMessage, PricedLine, SealedCard } from '../contracts';
import type { OutgoingFrom } from '../contracts/topology';
import { assertNever } from '../lib/assert-never';
import { stepNames, type StepName } from '../contracts/steps';

export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'CONFIRMED' | 'CANCELLED';
/**
 * `timed_out`: the step's deadline passed without an answer. The user step stays so (a check has
 * nothing to undo); stock and payment pass through it on their way to compensation, since a step
 * whose answer is missing may still have happened.
 */
export type UserStep = 'pending' | 'verified' | 'rejected' | 'timed_out';
export type StockStep =
  'pending' | 'reserved' | 'rejected' | 'timed_out' | 'committing' | 'committed' | 'releasing' | 'released';
export type PaymentStep = 'not_started' | 'pending' | 'settled' | 'declined' | 'timed_out' | 'refunding' | 'refunded';

export interface SagaState {
  orderId: string;
  userId: string;
  items: OrderLine[];
  card: SealedCard;
  status: SagaStatus;
  user: UserStep;
  stock: StockStep;
  payment: PaymentStep;
  priced?: { lines: PricedLine[]; totalCents: number };
  invoiceId?: string;
  failure?: { reason: CancelReason; detail?: string };
  /** When each outstanding step gives up (ISO time); set as its command is sent. */
  deadlines: Partial<Record<StepName, string>>;
  /** Forward steps whose deadline passed unanswered: an answer that comes later is late. */
  timedOut?: StepName[];
}

/** The orchestrator's own input: a step's deadline has come. Not a broker message. */
export interface DeadlinePassed {
  type: 'DeadlinePassed';
  data: { orderId: string; step: StepName };
}
export type SagaInput = OrderMessage | DeadlinePassed;

/** Time and timeouts are given to the decider, never read inside it. */
export interface SagaPolicy {
  now: Date;
  timeoutMs: (step: StepName) => number;
}

/**
 * What became of an input: it moved the saga on, it did not fit and why, or it came before the
 * saga it belongs to started and must be delivered again later (`early`).
 */
export type Outcome = { kind: 'applied' } | { kind: 'ignored'; why: string } | { kind: 'early'; why: string };

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

/** The command that performs `step` for this saga. */
export function commandFor(state: SagaState, step: StepName): SagaCommand {
  const { orderId, userId } = state;
  switch (step) {
    case 'verifyUser':
      return { type: 'VerifyUser', data: { orderId, userId } };
    case 'reserveStock':
      return { type: 'ReserveStock', data: { orderId, items: state.items } };
    case 'settlePayment': {
      const { lines, totalCents } = state.priced!;
      return { type: 'SettlePayment', data: { orderId, userId, lines, amountCents: totalCents, card: state.card } };
    }
    case 'commitStock':
      return { type: 'CommitStock', data: { orderId } };
    case 'releaseStock':
      return { type: 'ReleaseStock', data: { orderId } };
    case 'refundPayment':
      return { type: 'RefundPayment', data: { orderId } };
    default:
      return assertNever(step);
  }
}

/** When the saga awaits each step's answer: a Record, so a step added to the table must say. */
const awaits: Record<StepName, (state: SagaState) => boolean> = {
  verifyUser: (state) => state.user === 'pending',
  reserveStock: (state) => state.stock === 'pending',
  settlePayment: (state) => state.payment === 'pending',
  commitStock: (state) => state.stock === 'committing',
  releaseStock: (state) => state.stock === 'releasing',
  refundPayment: (state) => state.payment === 'refunding',
};

/** The steps whose answer the saga is waiting for. */
export const pendingSteps = (state: SagaState): StepName[] => stepNames.filter((step) => awaits[step](state));
