import type { MessageType } from '../contracts';

export type StepName =
  'verifyUser' | 'reserveStock' | 'settlePayment' | 'commitStock' | 'releaseStock' | 'refundPayment';
export type StepOutcome = 'started' | 'succeeded' | 'failed';

/** Steps that undo another step's effect. */
export const compensations: readonly StepName[] = ['releaseStock', 'refundPayment'];

/** What a command starts, or a reply ends: the step log is derived from the messages. */
export const stepOf: Partial<Record<MessageType, { step: StepName; outcome: StepOutcome }>> = {
  VerifyUser: { step: 'verifyUser', outcome: 'started' },
  UserVerified: { step: 'verifyUser', outcome: 'succeeded' },
  UserRejected: { step: 'verifyUser', outcome: 'failed' },
  ReserveStock: { step: 'reserveStock', outcome: 'started' },
  StockReserved: { step: 'reserveStock', outcome: 'succeeded' },
  StockRejected: { step: 'reserveStock', outcome: 'failed' },
  SettlePayment: { step: 'settlePayment', outcome: 'started' },
  PaymentSettled: { step: 'settlePayment', outcome: 'succeeded' },
  PaymentDeclined: { step: 'settlePayment', outcome: 'failed' },
  CommitStock: { step: 'commitStock', outcome: 'started' },
  StockCommitted: { step: 'commitStock', outcome: 'succeeded' },
  ReleaseStock: { step: 'releaseStock', outcome: 'started' },
  StockReleased: { step: 'releaseStock', outcome: 'succeeded' },
  RefundPayment: { step: 'refundPayment', outcome: 'started' },
  PaymentRefunded: { step: 'refundPayment', outcome: 'succeeded' },
};
