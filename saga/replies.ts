import type { Message } from '../contracts';
import { assertNever } from '../lib/assert-never';
import { applied, commandFor, ignore, isTerminal, type Decision, type SagaState } from './state';

type Received = { state: SagaState } | { ignored: string };

/** Records a participant's answer in the state, or says why it does not fit. */
export function receive(state: SagaState, message: Message): Received {
  const fail = (reason: NonNullable<SagaState['failure']>['reason'], detail?: string) =>
    state.failure ?? { reason, ...(detail ? { detail } : {}) };

  switch (message.type) {
    case 'UserVerified':
      if (state.user !== 'pending') return { ignored: `user already ${state.user}` };
      return { state: { ...state, user: 'verified' } };
    case 'UserRejected':
      if (state.user !== 'pending') return { ignored: `user already ${state.user}` };
      return { state: { ...state, user: 'rejected', failure: fail('USER_REJECTED', message.data.reason) } };
    case 'StockReserved':
      if (state.stock !== 'pending') return { ignored: `stock already ${state.stock}` };
      return {
        state: {
          ...state,
          stock: 'reserved',
          priced: { lines: message.data.lines, totalCents: message.data.totalCents },
        },
      };
    case 'StockRejected':
      if (state.stock !== 'pending') return { ignored: `stock already ${state.stock}` };
      return {
        state: { ...state, stock: 'rejected', failure: fail(message.data.reason, `product ${message.data.productId}`) },
      };
    case 'PaymentSettled':
      if (state.payment !== 'pending') return { ignored: `payment already ${state.payment}` };
      return { state: { ...state, payment: 'settled', invoiceId: message.data.invoiceId } };
    case 'PaymentDeclined':
      if (state.payment !== 'pending') return { ignored: `payment already ${state.payment}` };
      return { state: { ...state, payment: 'declined', failure: fail('PAYMENT_DECLINED', message.data.reason) } };
    case 'StockCommitted':
      if (state.stock !== 'committing') return { ignored: `stock is ${state.stock}` };
      return { state: { ...state, stock: 'committed' } };
    case 'StockReleased':
      if (state.stock !== 'releasing') return { ignored: `stock is ${state.stock}` };
      return { state: { ...state, stock: 'released' } };
    case 'PaymentRefunded':
      if (state.payment !== 'refunding') return { ignored: `payment is ${state.payment}` };
      return { state: { ...state, payment: 'refunded' } };
    case 'OrderCancellationRequested':
      return { state: { ...state, failure: fail('CANCELLED_BY_CUSTOMER') } };
    case 'OrderRequested':
    case 'VerifyUser':
    case 'ReserveStock':
    case 'SettlePayment':
    case 'ReleaseStock':
    case 'CommitStock':
    case 'RefundPayment':
    case 'OrderConfirmed':
    case 'OrderCancelled':
    case 'LateReplyCompensated':
    case 'UserDeactivated':
    case 'UserReactivated':
      return { ignored: `${message.type} is not an input of the saga` };
    default:
      return assertNever(message);
  }
}

/**
 * An answer to a step the saga stopped waiting for, whatever the saga's status: an effect
 * that happened after its deadline is undone, and the order is told why. Also closes such a
 * late compensation once the saga has ended. Undefined when the answer is not late.
 */
export function lateReply(state: SagaState, message: Message): Decision | undefined {
  const { orderId } = state;
  switch (message.type) {
    case 'StockReserved':
      // Also after a rejection: a command resent after a restart can reserve what was refused.
      if (state.stock !== 'timed_out' && state.stock !== 'rejected') return undefined;
      return applied({ ...state, stock: 'releasing' }, [
        commandFor(state, 'releaseStock'),
        { type: 'LateReplyCompensated', data: { orderId, step: 'reserveStock', compensation: 'ReleaseStock' } },
      ]);
    case 'PaymentSettled':
      if (state.payment !== 'timed_out') return undefined;
      return applied({ ...state, payment: 'refunding', invoiceId: message.data.invoiceId }, [
        commandFor(state, 'refundPayment'),
        { type: 'LateReplyCompensated', data: { orderId, step: 'settlePayment', compensation: 'RefundPayment' } },
      ]);
    case 'StockRejected':
      return state.stock === 'timed_out' ? applied({ ...state, stock: 'rejected' }) : undefined;
    case 'PaymentDeclined':
      return state.payment === 'timed_out' ? applied({ ...state, payment: 'declined' }) : undefined;
    case 'UserVerified':
    case 'UserRejected':
      return state.user === 'timed_out' ? ignore(state, 'verifyUser had timed out; nothing to undo') : undefined;
    case 'StockReleased':
      return isTerminal(state) && state.stock === 'releasing' ? applied({ ...state, stock: 'released' }) : undefined;
    case 'PaymentRefunded':
      return isTerminal(state) && state.payment === 'refunding'
        ? applied({ ...state, payment: 'refunded' })
        : undefined;
    default:
      return undefined;
  }
}
