import type { Message, MessageData } from '../contracts';
import { assertNever } from '../lib/assert-never';
import { applied, ignore, type Decision, type SagaCommand, type SagaState } from './state';
import type { StepName } from '../contracts/steps';

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
 * An answer to a step whose deadline passed, whatever the saga's status. The saga compensated
 * that step when it timed out, so nothing more is sent to the participant: a late success only
 * tells orders that an effect happened late and was undone (once; the state keeps what the
 * answer said), and a late failure changes nothing. Undefined when the answer is not late.
 */
export function lateReply(state: SagaState, message: Message): Decision | undefined {
  const timedOut = (step: StepName) => state.timedOut?.includes(step) ?? false;
  const undone = (step: LateStep): SagaCommand => ({
    type: 'LateReplyCompensated',
    data: { orderId: state.orderId, step, compensation: step === 'reserveStock' ? 'ReleaseStock' : 'RefundPayment' },
  });
  switch (message.type) {
    case 'StockReserved':
      if (!timedOut('reserveStock')) return undefined;
      if (state.priced) return ignore(state, 'reserveStock had timed out; its late reservation is already noted');
      return applied({ ...state, priced: { lines: message.data.lines, totalCents: message.data.totalCents } }, [
        undone('reserveStock'),
      ]);
    case 'PaymentSettled':
      if (!timedOut('settlePayment')) return undefined;
      if (state.invoiceId) return ignore(state, 'settlePayment had timed out; its late settlement is already noted');
      return applied({ ...state, invoiceId: message.data.invoiceId }, [undone('settlePayment')]);
    case 'StockRejected':
      return timedOut('reserveStock') ? ignore(state, 'reserveStock had timed out; nothing to undo') : undefined;
    case 'PaymentDeclined':
      return timedOut('settlePayment') ? ignore(state, 'settlePayment had timed out; nothing to undo') : undefined;
    case 'UserVerified':
    case 'UserRejected':
      return timedOut('verifyUser') ? ignore(state, 'verifyUser had timed out; nothing to undo') : undefined;
    default:
      return undefined;
  }
}

type LateStep = MessageData<'LateReplyCompensated'>['step'];
