import type { Data as MessageData, DataType as StepMessageType, OrderLine, SealedCard } from './message-data';
import type { CancelReason } from './reasons';

/**
 * The order saga, one record per step: what starts it, what answers it, what it needs first,
 * what undoes it and how long it may take. The orchestrator's decider, its deadlines, its late
 * replies, its topology and the step log all read this table; nothing else names a step.
 *
 * - `forward` moves the order on once every step it `needs` has succeeded: a failure, a cancel
 *   or a timeout turns the saga to compensation, and a forward step that timed out is undone
 *   as if it happened (only its answer may be lost);
 * - `commit` makes forward steps' effects final: it starts like a forward step, but must finish
 *   whatever happens, so its command is sent again at its deadline;
 * - `compensation` undoes the steps that name it in `undoneBy`, once one of them happened and
 *   none is still in flight; it too is sent again until answered.
 */
export const steps = {
  verifyUser: step({
    kind: 'forward',
    command: 'VerifyUser',
    succeeded: 'UserVerified',
    failed: 'UserRejected',
    build: ({ orderId, userId }) => ({ orderId, userId }),
    failure: (reply) => ({ reason: 'USER_REJECTED', detail: reply.reason }),
    defaultTimeoutMs: 10_000,
  }),
  reserveStock: step({
    kind: 'forward',
    command: 'ReserveStock',
    succeeded: 'StockReserved',
    failed: 'StockRejected',
    undoneBy: 'releaseStock',
    build: ({ orderId, items }) => ({ orderId, items }),
    failure: (reply) => ({ reason: reply.reason, detail: `product ${reply.productId}` }),
    lateNote: 'the stock was reserved after its deadline, so it was released',
    defaultTimeoutMs: 10_000,
  }),
  settlePayment: step({
    kind: 'forward',
    needs: ['verifyUser', 'reserveStock'],
    command: 'SettlePayment',
    succeeded: 'PaymentSettled',
    failed: 'PaymentDeclined',
    undoneBy: 'refundPayment',
    build: (saga) => {
      const { lines, totalCents } = reservation(saga);
      return { orderId: saga.orderId, userId: saga.userId, lines, amountCents: totalCents, card: saga.card };
    },
    failure: (reply) => ({ reason: 'PAYMENT_DECLINED', detail: reply.reason }),
    lateNote: 'the payment settled after its deadline, so it was refunded',
    defaultTimeoutMs: 30_000,
  }),
  commitStock: step({
    kind: 'commit',
    needs: ['settlePayment'],
    command: 'CommitStock',
    succeeded: 'StockCommitted',
    // A cancel can land between payment and commit: committed stock is released too.
    undoneBy: 'releaseStock',
    build: ({ orderId }) => ({ orderId }),
    defaultTimeoutMs: 10_000,
  }),
  releaseStock: step({
    kind: 'compensation',
    command: 'ReleaseStock',
    succeeded: 'StockReleased',
    build: ({ orderId }) => ({ orderId }),
    defaultTimeoutMs: 10_000,
  }),
  refundPayment: step({
    kind: 'compensation',
    command: 'RefundPayment',
    succeeded: 'PaymentRefunded',
    build: ({ orderId }) => ({ orderId }),
    defaultTimeoutMs: 30_000,
  }),
};

/** What the saga tells orders when every step has succeeded. */
const confirmation = (saga: SagaFacts): MessageData<'OrderConfirmed'> => {
  const { lines, totalCents } = reservation(saga);
  const { invoiceId } = saga.results.settlePayment as MessageData<'PaymentSettled'>;
  return { orderId: saga.orderId, lines, totalCents, invoiceId };
};

const reservation = (saga: SagaFacts) => saga.results.reserveStock as MessageData<'StockReserved'>;

/**
 * The table a saga is run under, with its version: a saga records the version it started
 * under and ends under it. Change the table and the version goes up, and the old table stays
 * in `orderSagaDefinitions` until no saga of it is left running.
 */
export interface SagaDefinition {
  version: number;
  steps: Readonly<Record<string, StepRecord>>;
  confirmation: (saga: SagaFacts) => unknown;
}

export const orderSaga = { version: 1, steps, confirmation } satisfies SagaDefinition;

/** Every definition this release runs, oldest first; the last starts new sagas. */
export const orderSagaDefinitions: readonly SagaDefinition[] = [orderSaga];

export type StepKind = 'forward' | 'commit' | 'compensation';
export type StepOutcome = 'started' | 'succeeded' | 'failed';

/** One step as the decider reads it: message types by name, data opaque. */
export interface StepRecord {
  kind: StepKind;
  /** Steps that must have succeeded before this one starts (forward and commit steps). */
  needs?: readonly string[];
  /** The compensation step that undoes this one (forward and commit steps). */
  undoneBy?: string;
  command: string;
  succeeded: string;
  failed?: string;
  /** The command's data, from what the saga knows. */
  build: (saga: SagaFacts) => unknown;
  /** Why a failed answer cancels the order. */
  failure?: (reply: never) => { reason: CancelReason; detail?: string };
  /** What the order's history says when this step answered after its deadline and was undone. */
  lateNote?: string;
  defaultTimeoutMs: number;
}

/** A record of the order saga, typed by the contract's messages. */
interface OrderStep<
  C extends StepMessageType,
  S extends StepMessageType,
  F extends StepMessageType,
> extends StepRecord {
  command: C;
  succeeded: S;
  failed?: F;
  build: (saga: SagaFacts) => MessageData<C>;
  failure?: (reply: MessageData<F>) => { reason: CancelReason; detail?: string };
}

function step<C extends StepMessageType, S extends StepMessageType, F extends StepMessageType = never>(
  record: OrderStep<C, S, F>,
): OrderStep<C, S, F> {
  return record;
}

export type StepName = keyof typeof steps;
export const stepNames = Object.keys(steps) as StepName[];

/** What a step's command is built from: the order, and what earlier forward steps answered. */
export interface SagaFacts {
  orderId: string;
  userId: string;
  items: OrderLine[];
  card: SealedCard;
  /** Each forward step's successful answer, by step. */
  results: Readonly<Record<string, unknown>>;
}

type Record_ = (typeof steps)[StepName];
/** The commands the orchestrator sends to run the steps. */
export type StepCommand = Record_['command'];
/** The participants' answers the orchestrator waits for. */
export type StepAnswer = Record_['succeeded'] | NonNullable<Record_['failed']>;

/** The commands and answers of every step of every definition this release runs: its topology. */
export const stepMessages = {
  commands: unique(orderSagaDefinitions.flatMap(({ steps: table }) => Object.values(table).map((r) => r.command))),
  answers: unique(
    orderSagaDefinitions.flatMap(({ steps: table }) =>
      Object.values(table).flatMap((r) => (r.failed ? [r.succeeded, r.failed] : [r.succeeded])),
    ),
  ),
} as { commands: readonly StepCommand[]; answers: readonly StepAnswer[] };

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * The values LateReplyCompensated may carry: a step that can be undone, and the command that
 * undoes it. Over every definition this release runs, so a saga of an older one can say so too.
 */
export const lateReplyValues = {
  steps: undoable().map(([name]) => name) as [string, ...string[]],
  compensations: unique(undoable().map(([, undo]) => undo)) as [string, ...string[]],
};

/** What an order's history says of a step that answered after its deadline and was undone. */
export function lateReplyNote(step: string, compensation: string): string {
  const record = orderSagaDefinitions.map((definition) => definition.steps[step]).findLast((found) => found?.lateNote);
  return record?.lateNote ?? `${step} answered after its deadline, so ${compensation} undid it`;
}

function undoable(): Array<[string, string]> {
  return orderSagaDefinitions.flatMap(({ steps: table }) =>
    Object.entries(table).flatMap(([name, record]) =>
      record.kind === 'forward' && record.undoneBy ? [[name, table[record.undoneBy]!.command] as [string, string]] : [],
    ),
  );
}

/**
 * The step a message starts or ends under the current table, and how; undefined for a message
 * outside any step. What the trace views and the step log read; the decider asks its saga's own
 * definition.
 */
export const stepOf = (type: string) =>
  stepByMessage(orderSaga).get(type) as { step: StepName; outcome: StepOutcome } | undefined;

const indexes = new WeakMap<SagaDefinition, Map<string, { step: string; outcome: StepOutcome }>>();

/** Every message of a definition's steps, to the step and what it says of it. */
export function stepByMessage(definition: SagaDefinition): Map<string, { step: string; outcome: StepOutcome }> {
  let index = indexes.get(definition);
  if (!index) {
    index = new Map<string, { step: string; outcome: StepOutcome }>(
      Object.entries(definition.steps).flatMap(([name, record]) => [
        [record.command, { step: name, outcome: 'started' as const }],
        [record.succeeded, { step: name, outcome: 'succeeded' as const }],
        ...(record.failed ? [[record.failed, { step: name, outcome: 'failed' as const }] as const] : []),
      ]),
    );
    indexes.set(definition, index);
  }
  return index;
}
