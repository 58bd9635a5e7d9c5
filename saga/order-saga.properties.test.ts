import { describe, expect, it } from 'vitest';
import type { MessageType, OrderMessage, Outgoing } from '../contracts';
import { decide, isTerminal } from './order-saga';
import type { SagaState } from './order-saga';
import {
  cancellationRequested,
  expectInvariants,
  invariantViolations,
  orderRequested,
  paid,
  paymentDeclined,
  paymentRefunded,
  paymentSettled,
  policy,
  readyToPay,
  stockCommitted,
  stockRejected,
  stockReleased,
  stockReserved,
  userRejected,
  userVerified,
} from './order-saga.fixtures';

/** Every complete path the scenario tests (order-saga.*.test.ts) script, start to terminal. */
const scripts: Record<string, OrderMessage[]> = {
  'happy path, user first': [orderRequested(), userVerified(), stockReserved(), paymentSettled(), stockCommitted()],
  'happy path, stock first': [orderRequested(), stockReserved(), userVerified(), paymentSettled(), stockCommitted()],
  'user rejected, stock pending': [orderRequested(), userRejected('inactive_user'), stockReserved(), stockReleased()],
  'user rejected after reservation': [orderRequested(), stockReserved(), userRejected(), stockReleased()],
  'user rejected, stock rejected': [orderRequested(), userRejected(), stockRejected()],
  'out of stock, user pending': [orderRequested(), stockRejected('OUT_OF_STOCK')],
  'unknown product, user verified': [orderRequested(), userVerified(), stockRejected('UNKNOWN_PRODUCT')],
  'card declined': [...readyToPay, paymentDeclined('card_declined'), stockReleased()],
  'insufficient funds': [...readyToPay, paymentDeclined('insufficient_funds'), stockReleased()],
  'cancel before any reply, stock reserved': [
    orderRequested(),
    cancellationRequested(),
    stockReserved(),
    stockReleased(),
  ],
  'cancel before any reply, stock rejected': [orderRequested(), cancellationRequested(), stockRejected()],
  'cancel while paying, settled': [
    ...readyToPay,
    cancellationRequested(),
    paymentSettled(),
    stockReleased(),
    paymentRefunded(),
  ],
  'cancel while paying, declined': [...readyToPay, cancellationRequested(), stockReleased(), paymentDeclined()],
  'cancel while committing': [...paid, cancellationRequested(), stockCommitted(), paymentRefunded(), stockReleased()],
};

const replyTo: Partial<Record<MessageType, Array<() => OrderMessage>>> = {
  VerifyUser: [userVerified, () => userRejected('unknown_user')],
  ReserveStock: [stockReserved, () => stockRejected('OUT_OF_STOCK')],
  SettlePayment: [paymentSettled, () => paymentDeclined('card_declined')],
  CommitStock: [stockCommitted],
  ReleaseStock: [stockReleased],
  RefundPayment: [paymentRefunded],
};

interface Path {
  messages: OrderMessage[];
  state: SagaState;
}

/**
 * Every interleaving of participants' answers to the commands the saga issued, with a customer
 * cancel optionally landing at any point and one duplicate of any earlier reply.
 */
function explore(): Path[] {
  const done: Path[] = [];
  const walk = (
    state: SagaState,
    messages: OrderMessage[],
    outstanding: MessageType[],
    cancelled: boolean,
    duplicated: boolean,
  ): void => {
    const nexts: Array<{ message: OrderMessage; rest: MessageType[] }> = [];
    outstanding.forEach((command, i) => {
      const rest = outstanding.filter((_, j) => j !== i);
      for (const reply of replyTo[command] ?? []) nexts.push({ message: reply(), rest });
    });
    if (!cancelled) nexts.push({ message: cancellationRequested(), rest: outstanding });
    if (!duplicated) {
      const replies = messages.filter((m) => m.type !== 'OrderRequested' && m.type !== 'OrderCancellationRequested');
      const last = replies[replies.length - 1];
      if (last) nexts.push({ message: last, rest: outstanding });
    }
    if (outstanding.length === 0) done.push({ messages, state });
    for (const { message: next, rest } of nexts) {
      const isCancel = next.type === 'OrderCancellationRequested';
      const isDuplicate = !isCancel && !outstanding.some((c) => (replyTo[c] ?? []).some((r) => r().type === next.type));
      const decision = decide(state, next, policy);
      const after = decision.state!;
      const violations = invariantViolations(after);
      if (violations.length > 0)
        throw new Error(`${violations.join('; ')} after ${[...messages, next].map((m) => m.type).join(' → ')}`);
      if (isDuplicate && decision.commands.length > 0) {
        throw new Error(`duplicate ${next.type} emitted ${decision.commands.map((c) => c.type).join(', ')}`);
      }
      if (isCancel && !cancelled && outstanding.length === 0) continue; // already counted as an end
      walk(
        after,
        [...messages, next],
        [...rest, ...decision.commands.map((c) => c.type).filter((t) => replyTo[t])],
        cancelled || isCancel,
        duplicated || isDuplicate,
      );
    }
  };
  const first = decide(undefined, orderRequested(), policy);
  walk(
    first.state!,
    [orderRequested()],
    first.commands.map((c) => c.type),
    false,
    false,
  );
  return done;
}

describe('order saga: properties', () => {
  it.each(Object.entries(scripts))('scripted path "%s" ends terminal and keeps the invariants', (_name, path) => {
    let state: SagaState | undefined;
    const emitted: Outgoing[] = [];
    for (const m of path) {
      const decision = decide(state, m, policy);
      expect(decision.outcome).toEqual({ kind: 'applied' });
      expectInvariants(decision.state);
      emitted.push(...decision.commands);
      state = decision.state;
    }
    expect(state && isTerminal(state)).toBe(true);
    const final = state!;
    // Never both confirmed and failed; a cancelled saga leaves nothing reserved, committed or settled.
    expect(final.status === 'CONFIRMED' && final.failure !== undefined).toBe(false);
    if (final.status === 'CANCELLED') {
      expect(['reserved', 'committed']).not.toContain(final.stock);
      expect(final.payment).not.toBe('settled');
    }
    // Exactly one terminal event, and it matches the status.
    const terminal = emitted.filter((c) => c.type === 'OrderConfirmed' || c.type === 'OrderCancelled');
    expect(terminal.map((c) => c.type)).toEqual([final.status === 'CONFIRMED' ? 'OrderConfirmed' : 'OrderCancelled']);
    // Compensation is never a refund of a payment that was declined.
    if (final.payment === 'declined') expect(emitted.map((c) => c.type)).not.toContain('RefundPayment');
  });

  it('every interleaving of replies (with a cancel anywhere and a duplicate) ends terminal with the invariants held', () => {
    const paths = explore();
    expect(paths.length).toBeGreaterThan(50);
    for (const { messages, state } of paths) {
      const where = messages.map((m) => m.type).join(' → ');
      expect(isTerminal(state), where).toBe(true);
      expect(invariantViolations(state), where).toEqual([]);
      expect(state.status === 'CONFIRMED' && state.failure !== undefined, where).toBe(false);
      if (state.status === 'CANCELLED') {
        expect(['reserved', 'committed'], where).not.toContain(state.stock);
        expect(state.payment, where).not.toBe('settled');
      }
    }
    // Both ends are reachable.
    expect(paths.some((p) => p.state.status === 'CONFIRMED')).toBe(true);
    expect(paths.some((p) => p.state.status === 'CANCELLED')).toBe(true);
  });
});
