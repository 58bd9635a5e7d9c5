import type { CancelReason, DeclineReason, MessageType } from '../../contracts';
import { steps, stepOf, type StepName } from '../../contracts/steps';
import { CARDS } from '../support/api';

/** How an order may end: its status and, once cancelled, the reason and detail. */
export interface Outcome {
  status: 'CONFIRMED' | 'CANCELLED';
  reason?: CancelReason;
  detail?: string;
}

/** What the test planned and saw of one order, all that decides how it may end. */
export interface OrderPlan {
  card: string;
  productId: string;
  quantity: number;
  /** Units the other orders of the run asked for the same product: they may hold it first. */
  othersQuantity: number;
  stock: number;
  /** The customer's cancel was accepted (202); a 409 came after the end and changes nothing. */
  cancelAccepted: boolean;
  /** Types of this order's messages that the broker dropped. */
  dropped: readonly MessageType[];
}

const declines: Record<string, DeclineReason> = {
  [CARDS.declined]: 'card_declined',
  [CARDS.insufficientFunds]: 'insufficient_funds',
};

/**
 * Every way the order may end, given its plan: a declining card never confirms; an order the
 * stock could cover whatever the others held is never OUT_OF_STOCK; STEP_TIMEOUT names a
 * forward step one of whose messages was dropped (a lost commit or compensation is sent again,
 * never given up); CANCELLED_BY_CUSTOMER needs an accepted cancel. So a settling card with
 * stock, no cancel and nothing dropped may only confirm.
 */
export function possibleOutcomes(plan: OrderPlan): Outcome[] {
  const decline = declines[plan.card];
  const lostForward = [...new Set(plan.dropped.map((type) => stepOf(type)?.step))].filter(
    (step): step is StepName => step !== undefined && steps[step].kind === 'forward',
  );
  const cancelled = (reason: CancelReason, detail?: string): Outcome => ({
    status: 'CANCELLED',
    reason,
    ...(detail ? { detail } : {}),
  });
  return [
    ...(!decline && lostForward.length === 0 ? [{ status: 'CONFIRMED' as const }] : []),
    ...(decline ? [cancelled('PAYMENT_DECLINED', decline)] : []),
    ...(plan.quantity + plan.othersQuantity > plan.stock
      ? [cancelled('OUT_OF_STOCK', `product ${plan.productId}`)]
      : []),
    ...lostForward.map((step) => cancelled('STEP_TIMEOUT', step)),
    ...(plan.cancelAccepted ? [cancelled('CANCELLED_BY_CUSTOMER')] : []),
  ];
}
