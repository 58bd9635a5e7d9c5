import { expect } from 'vitest';
import { newId } from '../../lib/ids';
import { envelope } from '../../contracts';
import type { CancelReason, MessageData, MessageOf, MessageType, Outgoing, PricedLine } from '../../contracts';
import { publisherOf } from '../../contracts/topology';
import { orderSaga, type StepName } from '../../contracts/steps';
import { byType, harness } from './harness';
import type { SagaInput, SagaPolicy, SagaState, StepStatus } from './state';

/** Fixed messages, commands and a given/when/then harness for the order saga's unit tests. */

// ---------------------------------------------------------------------------------------------
// Fixed identities: every uuid of the file is drawn once, here.
// ---------------------------------------------------------------------------------------------

export const orderId = newId(); // also the saga's correlationId
export const userId = newId();
export const productA = newId();
export const productB = newId();
export const paymentId = newId();
export const invoiceId = newId();
export const cause = newId(); // causationId of every reply (the command that asked for it)
/** One fixed message id per message type, drawn the first time the type is used. */
const messageIds = new Map<MessageType, string>();
export const messageIdOf = (type: MessageType) => {
  if (!messageIds.has(type)) messageIds.set(type, newId());
  return messageIds.get(type)!;
};
export const now = new Date('2025-01-01T12:00:00.000Z');
export const TIMEOUT_MS = 10_000;
export const policy: SagaPolicy = { now, timeoutMs: () => TIMEOUT_MS, definitions: [orderSaga] };

export const items = [
  { productId: productA, quantity: 2 },
  { productId: productB, quantity: 1 },
];
export const card = { sealed: 'sealed-card-blob', last4: '4242' };
export const lines: PricedLine[] = [
  { productId: productA, quantity: 2, name: 'Mug', unitPriceCents: 1_250 },
  { productId: productB, quantity: 1, name: 'Teapot', unitPriceCents: 999 },
];
export const totalCents = 2 * 1_250 + 999;

// ---------------------------------------------------------------------------------------------
// Message builders: full envelopes, built by the contract's own envelope().
// ---------------------------------------------------------------------------------------------

export function message<T extends MessageType>(type: T, data: MessageData<T>): MessageOf<T> {
  return envelope({ type, data } as Outgoing<T>, {
    producer: publisherOf(type),
    correlationId: orderId,
    causationId: type === 'OrderRequested' ? null : cause,
    messageId: messageIdOf(type),
    now,
  });
}

export const orderRequested = () => message('OrderRequested', { orderId, userId, items, card });
export const cancellationRequested = () => message('OrderCancellationRequested', { orderId, requestedBy: userId });
export const userVerified = () => message('UserVerified', { orderId, userId });
export const userRejected = (reason: MessageData<'UserRejected'>['reason'] = 'unknown_user') =>
  message('UserRejected', { orderId, userId, reason });
export const stockReserved = () => message('StockReserved', { orderId, lines, totalCents });
export const stockRejected = (
  reason: MessageData<'StockRejected'>['reason'] = 'OUT_OF_STOCK',
  productId: string = productB,
) => message('StockRejected', { orderId, reason, productId });
export const paymentSettled = () =>
  message('PaymentSettled', { orderId, paymentId, invoiceId, amountCents: totalCents });
export const paymentDeclined = (reason: MessageData<'PaymentDeclined'>['reason'] = 'card_declined') =>
  message('PaymentDeclined', { orderId, reason });
export const stockCommitted = () => message('StockCommitted', { orderId });
export const stockReleased = () => message('StockReleased', { orderId });
export const paymentRefunded = () => message('PaymentRefunded', { orderId, paymentId, amountCents: totalCents });

// The commands the saga is expected to emit, as plain { type, data }.
export const verifyUser: Outgoing = { type: 'VerifyUser', data: { orderId, userId } };
export const reserveStock: Outgoing = { type: 'ReserveStock', data: { orderId, items } };
export const settlePayment: Outgoing = {
  type: 'SettlePayment',
  data: { orderId, userId, lines, amountCents: totalCents, card },
};
export const commitStock: Outgoing = { type: 'CommitStock', data: { orderId } };
export const releaseStock: Outgoing = { type: 'ReleaseStock', data: { orderId } };
export const refundPayment: Outgoing = { type: 'RefundPayment', data: { orderId } };
export const orderConfirmed: Outgoing = { type: 'OrderConfirmed', data: { orderId, lines, totalCents, invoiceId } };
export const orderCancelled = (reason: CancelReason, detail?: string): Outgoing => ({
  type: 'OrderCancelled',
  data: { orderId, reason, ...(detail === undefined ? {} : { detail }) },
});

// ---------------------------------------------------------------------------------------------
// given / when / then over the order saga's table, with its three lanes as the tests name them
// ---------------------------------------------------------------------------------------------

export type UserLane = 'pending' | 'verified' | 'rejected' | 'timed_out';
export type StockLane =
  'pending' | 'reserved' | 'rejected' | 'timed_out' | 'committing' | 'committed' | 'releasing' | 'released';
export type PaymentLane = 'not_started' | 'pending' | 'settled' | 'declined' | 'timed_out' | 'refunding' | 'refunded';

const lane = { succeeded: 'verified', failed: 'rejected' } as const;

/** Where the user check, the stock and the payment stand, read from the steps' statuses. */
export function lanes(state: SagaState) {
  const { verifyUser, reserveStock, settlePayment, commitStock, releaseStock, refundPayment } = state.steps;
  const ahead = (status: StepStatus | undefined, done: string, doing: string) =>
    status === 'succeeded' ? done : status === 'pending' ? doing : undefined;
  const plain = (status: StepStatus | undefined, names: { succeeded: string; failed: string }) =>
    status === 'succeeded'
      ? names.succeeded
      : status === 'failed'
        ? names.failed
        : status === 'waiting'
          ? 'not_started'
          : status;
  return {
    user: plain(verifyUser, lane) as UserLane,
    stock: (ahead(releaseStock, 'released', 'releasing') ??
      ahead(commitStock, 'committed', 'committing') ??
      plain(reserveStock, { succeeded: 'reserved', failed: 'rejected' })) as StockLane,
    payment: (ahead(refundPayment, 'refunded', 'refunding') ??
      plain(settlePayment, { succeeded: 'settled', failed: 'declined' })) as PaymentLane,
  };
}

interface Lanes {
  user?: UserLane;
  stock?: StockLane;
  payment?: PaymentLane;
}

const orderHarness = harness<Outgoing, Lanes>(policy, (state, expected) => {
  const now = state && lanes(state);
  if (expected.user) expect(now?.user).toBe(expected.user);
  if (expected.stock) expect(now?.stock).toBe(expected.stock);
  if (expected.payment) expect(now?.payment).toBe(expected.payment);
});

export const { given, fold, expectInvariants } = orderHarness;
export const invariantViolations = orderHarness.invariantViolations;
export { byType };

// Common histories.
export const started = [orderRequested()];
export const readyToPay = [orderRequested(), userVerified(), stockReserved()];
export const paid = [...readyToPay, paymentSettled()];

/** The orchestrator's own input when a step's deadline comes. */
export const deadlinePassed = (step: StepName): SagaInput => ({ type: 'DeadlinePassed', data: { orderId, step } });
