import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { envelope } from '../contracts';
import type { CancelReason, MessageData, MessageOf, MessageType, Outgoing, PricedLine } from '../contracts';
import { publisherOf } from '../contracts/topology';
import { decide } from './order-saga';
import type { Decision, PaymentStep, SagaInput, SagaState, SagaStatus, StockStep, UserStep } from './order-saga';
import type { StepName } from '../contracts/steps';

/** Fixed messages, commands and a given/when/then harness for the order saga's unit tests. */

// ---------------------------------------------------------------------------------------------
// Fixed identities: every uuid of the file is drawn once, here.
// ---------------------------------------------------------------------------------------------

export const orderId = randomUUID(); // also the saga's correlationId
export const userId = randomUUID();
export const productA = randomUUID();
export const productB = randomUUID();
export const paymentId = randomUUID();
export const invoiceId = randomUUID();
export const cause = randomUUID(); // causationId of every reply (the command that asked for it)
/** One fixed message id per message type, drawn the first time the type is used. */
const messageIds = new Map<MessageType, string>();
export const messageIdOf = (type: MessageType) => {
  if (!messageIds.has(type)) messageIds.set(type, randomUUID());
  return messageIds.get(type)!;
};
export const now = new Date('2025-01-01T12:00:00.000Z');
export const policy = { now, timeoutMs: () => 10_000 };

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
// Invariants, checked on every state any test produces.
// ---------------------------------------------------------------------------------------------

export function invariantViolations(state: SagaState | undefined): string[] {
  if (!state) return [];
  const broken: string[] = [];
  if (state.status === 'CONFIRMED') {
    if (state.failure) broken.push(`CONFIRMED with failure ${state.failure.reason}`);
    if (state.stock !== 'committed') broken.push(`CONFIRMED with stock ${state.stock}`);
    if (state.payment !== 'settled') broken.push(`CONFIRMED with payment ${state.payment}`);
  }
  if (state.status === 'CANCELLED') {
    if (!state.failure) broken.push('CANCELLED without a failure');
    if (state.stock === 'reserved' || state.stock === 'committed') broken.push(`CANCELLED with stock ${state.stock}`);
    if (state.payment === 'settled') broken.push('CANCELLED with payment settled');
    // A saga ends cancelled only once every compensation it sent was answered.
    if (['pending', 'timed_out', 'committing', 'releasing'].includes(state.stock))
      broken.push(`CANCELLED owing stock ${state.stock}`);
    if (['pending', 'timed_out', 'refunding'].includes(state.payment)) broken.push(`CANCELLED owing ${state.payment}`);
  }
  if (state.failure && state.status === 'RUNNING') broken.push('failure recorded but still RUNNING');
  if (state.stock === 'timed_out' || state.payment === 'timed_out') broken.push('a timed-out step left uncompensated');
  return broken;
}

export const expectInvariants = (state: SagaState | undefined) => expect(invariantViolations(state)).toEqual([]);

// ---------------------------------------------------------------------------------------------
// given / when / then
// ---------------------------------------------------------------------------------------------

export interface Expectation {
  /** The exact commands emitted (order-insensitive), type and data. */
  commands?: Outgoing[];
  status?: SagaStatus;
  user?: UserStep;
  stock?: StockStep;
  payment?: PaymentStep;
  /** `null` asserts there is no failure. */
  failure?: { reason: CancelReason; detail?: string } | null;
  /** `'applied'`, or the message was ignored for a reason matching the pattern. */
  outcome?: 'applied' | { ignored: RegExp };
}

export const byType = (commands: Outgoing[]) => [...commands].sort((a, b) => a.type.localeCompare(b.type));

/** Folds decide over earlier messages; every step must apply and keep the invariants. */
export function fold(history: SagaInput[]): SagaState | undefined {
  let state: SagaState | undefined;
  let clock = now;
  for (const input of history) {
    // A deadline in a history has come: the clock moves on to it.
    const due = input.type === 'DeadlinePassed' ? state?.deadlines[input.data.step] : undefined;
    if (due && Date.parse(due) > clock.getTime()) clock = new Date(due);
    const decision = decide(state, input, { ...policy, now: clock });
    expect(decision.outcome, `given ${input.type} applies`).toEqual({ kind: 'applied' });
    expectInvariants(decision.state);
    state = decision.state;
  }
  return state;
}

export function given(...history: SagaInput[]) {
  const state = fold(history);
  return {
    state,
    /** Applies one more input, `afterMs` after the fixed clock (deadlines are relative to it). */
    when(incoming: SagaInput, afterMs = 0) {
      const decision = decide(state, incoming, { ...policy, now: new Date(now.getTime() + afterMs) });
      expectInvariants(decision.state);
      return {
        decision,
        then(expected: Expectation): Decision {
          if (expected.commands) expect(byType(decision.commands)).toEqual(byType(expected.commands));
          if (expected.outcome === 'applied') expect(decision.outcome).toEqual({ kind: 'applied' });
          else if (expected.outcome) {
            expect(decision.outcome.kind).toBe('ignored');
            if (decision.outcome.kind === 'ignored') expect(decision.outcome.why).toMatch(expected.outcome.ignored);
          }
          const after = decision.state;
          if (expected.status) expect(after?.status).toBe(expected.status);
          if (expected.user) expect(after?.user).toBe(expected.user);
          if (expected.stock) expect(after?.stock).toBe(expected.stock);
          if (expected.payment) expect(after?.payment).toBe(expected.payment);
          if (expected.failure === null) expect(after?.failure).toBeUndefined();
          else if (expected.failure) expect(after?.failure).toEqual(expected.failure);
          return decision;
        },
        /** Ignored: a reason, no commands, and the very same state. */
        thenIgnored(why: RegExp): Decision {
          expect(decision.outcome.kind).toBe('ignored');
          if (decision.outcome.kind === 'ignored') expect(decision.outcome.why).toMatch(why);
          expect(decision.commands).toEqual([]);
          expect(decision.state).toBe(state);
          return decision;
        },
      };
    },
  };
}

// Common histories.
export const started = [orderRequested()];
export const readyToPay = [orderRequested(), userVerified(), stockReserved()];
export const paid = [...readyToPay, paymentSettled()];

/** The orchestrator's own input when a step's deadline comes. */
export const deadlinePassed = (step: StepName): SagaInput => ({ type: 'DeadlinePassed', data: { orderId, step } });
