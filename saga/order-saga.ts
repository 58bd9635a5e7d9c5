import type { CancelReason, Message, MessageOf, Outgoing, PricedLine, SealedCard, OrderLine } from '../contracts';
import { assertNever } from '../lib/assert-never';

/**
 * The order saga as a pure decision: (state, message) → (state, commands). No I/O, no clock,
 * no ids; the runner persists the result and gives the commands their envelopes.
 *
 * User verification and stock reservation start together; payment waits for both. The first
 * failure wins and turns the saga to compensation: it releases what was reserved, refunds what
 * was settled, waits for outstanding replies, then cancels the order. Success commits the stock,
 * then confirms.
 */

export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'CONFIRMED' | 'CANCELLED';
export type UserStep = 'pending' | 'verified' | 'rejected';
export type StockStep = 'pending' | 'reserved' | 'rejected' | 'committing' | 'committed' | 'releasing' | 'released';
export type PaymentStep = 'not_started' | 'pending' | 'settled' | 'declined' | 'refunding' | 'refunded';

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
}

/** What became of an incoming message: it moved the saga on, or it did not fit and why. */
export type Outcome = { kind: 'applied' } | { kind: 'ignored'; why: string };

export interface Decision {
  state: SagaState | undefined;
  commands: Outgoing[];
  outcome: Outcome;
}

export const isTerminal = (state: SagaState) => state.status === 'CONFIRMED' || state.status === 'CANCELLED';

export function decide(state: SagaState | undefined, message: Message): Decision {
  if (message.type === 'OrderRequested') {
    return state ? ignore(state, 'saga already started') : start(message);
  }
  if (!state) return ignore(undefined, 'no saga for this order');
  if (isTerminal(state)) return ignore(state, `saga already ${state.status}`);
  const received = receive(state, message);
  if ('ignored' in received) return ignore(state, received.ignored);
  return { ...advance(received.state), outcome: { kind: 'applied' } };
}

function start({ data }: MessageOf<'OrderRequested'>): Decision {
  const state: SagaState = {
    orderId: data.orderId,
    userId: data.userId,
    items: data.items,
    card: data.card,
    status: 'RUNNING',
    user: 'pending',
    stock: 'pending',
    payment: 'not_started',
  };
  return {
    state,
    commands: [
      { type: 'VerifyUser', data: { orderId: data.orderId, userId: data.userId } },
      { type: 'ReserveStock', data: { orderId: data.orderId, items: data.items } },
    ],
    outcome: { kind: 'applied' },
  };
}

const ignore = (state: SagaState | undefined, why: string): Decision => ({
  state,
  commands: [],
  outcome: { kind: 'ignored', why },
});

/** Records a reply in the state, or says why it does not fit. */
function receive(state: SagaState, message: Message): { state: SagaState } | { ignored: string } {
  const fail = (reason: CancelReason, detail?: string) => state.failure ?? { reason, ...(detail ? { detail } : {}) };
  const expecting = <K extends 'user' | 'stock' | 'payment'>(step: K, value: SagaState[K]) => state[step] === value;

  switch (message.type) {
    case 'UserVerified':
      if (!expecting('user', 'pending')) return { ignored: `user already ${state.user}` };
      return { state: { ...state, user: 'verified' } };
    case 'UserRejected':
      if (!expecting('user', 'pending')) return { ignored: `user already ${state.user}` };
      return { state: { ...state, user: 'rejected', failure: fail('USER_REJECTED', message.data.reason) } };
    case 'StockReserved':
      if (!expecting('stock', 'pending')) return { ignored: `stock already ${state.stock}` };
      return {
        state: {
          ...state,
          stock: 'reserved',
          priced: { lines: message.data.lines, totalCents: message.data.totalCents },
        },
      };
    case 'StockRejected':
      if (!expecting('stock', 'pending')) return { ignored: `stock already ${state.stock}` };
      return {
        state: { ...state, stock: 'rejected', failure: fail(message.data.reason, `product ${message.data.productId}`) },
      };
    case 'PaymentSettled':
      if (!expecting('payment', 'pending')) return { ignored: `payment already ${state.payment}` };
      return { state: { ...state, payment: 'settled', invoiceId: message.data.invoiceId } };
    case 'PaymentDeclined':
      if (!expecting('payment', 'pending')) return { ignored: `payment already ${state.payment}` };
      return { state: { ...state, payment: 'declined', failure: fail('PAYMENT_DECLINED', message.data.reason) } };
    case 'StockCommitted':
      if (!expecting('stock', 'committing')) return { ignored: `stock is ${state.stock}` };
      return { state: { ...state, stock: 'committed' } };
    case 'StockReleased':
      if (!expecting('stock', 'releasing')) return { ignored: `stock is ${state.stock}` };
      return { state: { ...state, stock: 'released' } };
    case 'PaymentRefunded':
      if (!expecting('payment', 'refunding')) return { ignored: `payment is ${state.payment}` };
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
      return { ignored: `${message.type} is not an input of the saga` };
    default:
      return assertNever(message);
  }
}

/** Issues the commands the state now calls for. */
function advance(state: SagaState): Pick<Decision, 'state' | 'commands'> {
  if (isTerminal(state)) return { state, commands: [] };
  if (state.failure) return compensate(state);
  const { orderId } = state;

  if (state.user === 'verified' && state.stock === 'reserved' && state.payment === 'not_started') {
    const { lines, totalCents } = state.priced!;
    return {
      state: { ...state, payment: 'pending' },
      commands: [
        {
          type: 'SettlePayment',
          data: { orderId, userId: state.userId, lines, amountCents: totalCents, card: state.card },
        },
      ],
    };
  }
  if (state.payment === 'settled' && state.stock === 'reserved') {
    return { state: { ...state, stock: 'committing' }, commands: [{ type: 'CommitStock', data: { orderId } }] };
  }
  if (state.payment === 'settled' && state.stock === 'committed') {
    const { lines, totalCents } = state.priced!;
    return {
      state: { ...state, status: 'CONFIRMED' },
      commands: [{ type: 'OrderConfirmed', data: { orderId, lines, totalCents, invoiceId: state.invoiceId! } }],
    };
  }
  return { state, commands: [] };
}

/** Undoes what succeeded, waits for replies still owed, then cancels. */
function compensate(state: SagaState): Pick<Decision, 'state' | 'commands'> {
  const { orderId } = state;
  const commands: Outgoing[] = [];
  let next: SagaState = { ...state, status: 'COMPENSATING' };

  // Committed stock is released too: a cancel can land between payment and commit.
  if (next.stock === 'reserved' || next.stock === 'committed') {
    next = { ...next, stock: 'releasing' };
    commands.push({ type: 'ReleaseStock', data: { orderId } });
  }
  if (next.payment === 'settled') {
    next = { ...next, payment: 'refunding' };
    commands.push({ type: 'RefundPayment', data: { orderId } });
  }

  const stockOwed = ['pending', 'committing', 'releasing'].includes(next.stock);
  const paymentOwed = next.payment === 'pending' || next.payment === 'refunding';
  if (stockOwed || paymentOwed) return { state: next, commands };

  const { reason, detail } = next.failure!;
  return {
    state: { ...next, status: 'CANCELLED' },
    commands: [...commands, { type: 'OrderCancelled', data: { orderId, reason, ...(detail ? { detail } : {}) } }],
  };
}
