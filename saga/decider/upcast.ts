import type { PricedLine } from '../../contracts';
import { orderSaga } from '../../contracts/steps';
import type { SagaState, StepStatus } from './state';

/**
 * A saga as releases before the step table stored it: three lanes (user, stock, payment) in
 * place of a status per step, what the answers said in fields of their own, and no version.
 */
export interface LaneState extends Omit<SagaState, 'definition' | 'steps' | 'results'> {
  user: 'pending' | 'verified' | 'rejected' | 'timed_out';
  stock: 'pending' | 'reserved' | 'rejected' | 'timed_out' | 'committing' | 'committed' | 'releasing' | 'released';
  payment: 'not_started' | 'pending' | 'settled' | 'declined' | 'timed_out' | 'refunding' | 'refunded';
  priced?: { lines: PricedLine[]; totalCents: number };
  invoiceId?: string;
  timedOut?: string[];
}

/**
 * A stored saga in today's shape: one stored in lanes becomes a saga of the first step table,
 * which is what it ran under, so a saga running across the upgrade ends as it would have.
 */
export function upcast(stored: SagaState | LaneState): SagaState {
  if (!('user' in stored)) return stored;
  const { user, stock, payment, priced, invoiceId, timedOut = [], ...facts } = stored;
  // Past a forward step, it succeeded, or timed out and was undone as if it had.
  const past = (step: string): StepStatus => (timedOut.includes(step) ? 'timed_out' : 'succeeded');
  const lane = <L extends string>(value: L, statuses: Partial<Record<L, StepStatus>>, otherwise: StepStatus) =>
    statuses[value] ?? otherwise;
  return {
    ...facts,
    definition: orderSaga.version,
    steps: {
      verifyUser: lane(user, { pending: 'pending', verified: 'succeeded', rejected: 'failed' }, 'timed_out'),
      reserveStock: lane(
        stock,
        { pending: 'pending', rejected: 'failed', timed_out: 'timed_out' },
        past('reserveStock'),
      ),
      settlePayment: lane(
        payment,
        { not_started: 'waiting', pending: 'pending', declined: 'failed', timed_out: 'timed_out' },
        past('settlePayment'),
      ),
      commitStock: lane(stock, { committing: 'pending', committed: 'succeeded' }, 'waiting'),
      releaseStock: lane(stock, { releasing: 'pending', released: 'succeeded' }, 'waiting'),
      refundPayment: lane(payment, { refunding: 'pending', refunded: 'succeeded' }, 'waiting'),
    },
    results: {
      ...(priced && { reserveStock: { orderId: facts.orderId, ...priced } }),
      ...(invoiceId && { settlePayment: { orderId: facts.orderId, invoiceId } }),
    },
  };
}
