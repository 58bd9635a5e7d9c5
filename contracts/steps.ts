import type { MessageType } from './messages';

/**
 * What each step of the order saga is, declared once: the command that starts it, the replies
 * that end it, its kind, and how long it may take unless SAGA_STEP_TIMEOUTS_MS says otherwise.
 * The step log, the deadlines and the timeouts derive from this table.
 *
 * - `forward` moves the order on: a failure, a cancel or a timeout turns the saga to
 *   compensation, and a forward step that timed out is compensated as if it happened;
 * - `commit` makes a forward step's effect final, and `compensation` undoes one: both must
 *   finish whatever happens, so their command is sent again until it is answered.
 */
export const steps = {
  verifyUser: {
    kind: 'forward',
    command: 'VerifyUser',
    succeeded: 'UserVerified',
    failed: 'UserRejected',
    defaultTimeoutMs: 10_000,
  },
  reserveStock: {
    kind: 'forward',
    command: 'ReserveStock',
    succeeded: 'StockReserved',
    failed: 'StockRejected',
    defaultTimeoutMs: 10_000,
  },
  settlePayment: {
    kind: 'forward',
    command: 'SettlePayment',
    succeeded: 'PaymentSettled',
    failed: 'PaymentDeclined',
    defaultTimeoutMs: 30_000,
  },
  commitStock: { kind: 'commit', command: 'CommitStock', succeeded: 'StockCommitted', defaultTimeoutMs: 10_000 },
  releaseStock: { kind: 'compensation', command: 'ReleaseStock', succeeded: 'StockReleased', defaultTimeoutMs: 10_000 },
  refundPayment: {
    kind: 'compensation',
    command: 'RefundPayment',
    succeeded: 'PaymentRefunded',
    defaultTimeoutMs: 30_000,
  },
} as const satisfies Record<string, StepRecord>;

interface StepRecord {
  kind: 'forward' | 'commit' | 'compensation';
  command: MessageType;
  succeeded: MessageType;
  failed?: MessageType;
  defaultTimeoutMs: number;
}

export type StepName = keyof typeof steps;
export type StepKind = StepRecord['kind'];
export type StepOutcome = 'started' | 'succeeded' | 'failed';
export const stepNames = Object.keys(steps) as StepName[];

const stepByMessage = new Map<MessageType, { step: StepName; outcome: StepOutcome }>(
  stepNames.flatMap((step) => {
    const record: StepRecord = steps[step];
    return [
      [record.command, { step, outcome: 'started' as const }],
      [record.succeeded, { step, outcome: 'succeeded' as const }],
      ...(record.failed ? [[record.failed, { step, outcome: 'failed' as const }] as const] : []),
    ];
  }),
);

/** The step a message starts or ends, and how; undefined for a message outside any step. */
export const stepOf = (type: MessageType) => stepByMessage.get(type);
