import { describe, expect, it } from 'vitest';
import type { MessageType, OrderMessage, Outgoing } from '../../contracts';
import { decide, isTerminal } from './decide';
import type { SagaInput, SagaState } from './decide';
import { explore, label } from './explorer';
import {
  cancellationRequested,
  expectInvariants,
  invariantViolations,
  lanes,
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

const replyTo: Partial<Record<MessageType, Array<() => SagaInput>>> = {
  VerifyUser: [userVerified, () => userRejected('unknown_user')],
  ReserveStock: [stockReserved, () => stockRejected('OUT_OF_STOCK')],
  SettlePayment: [paymentSettled, () => paymentDeclined('card_declined')],
  CommitStock: [stockCommitted],
  ReleaseStock: [stockReleased],
  RefundPayment: [paymentRefunded],
};

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
      expect(['reserved', 'committed']).not.toContain(lanes(final).stock);
      expect(lanes(final).payment).not.toBe('settled');
    }
    // Exactly one terminal event, and it matches the status.
    const terminal = emitted.filter((c) => c.type === 'OrderConfirmed' || c.type === 'OrderCancelled');
    expect(terminal.map((c) => c.type)).toEqual([final.status === 'CONFIRMED' ? 'OrderConfirmed' : 'OrderCancelled']);
    // Compensation is never a refund of a payment that was declined.
    if (lanes(final).payment === 'declined') expect(emitted.map((c) => c.type)).not.toContain('RefundPayment');
  });

  it('every interleaving of replies, a cancel, a duplicate, a dropped answer and deadlines ends terminal with the invariants held', () => {
    const paths = explore({ policy, participant: replyTo, start: orderRequested, cancel: cancellationRequested });
    expect(paths.length).toBeGreaterThan(50);
    for (const { inputs, state } of paths) {
      const where = inputs.map(label).join(' → ');
      expect(isTerminal(state), where).toBe(true);
      expect(invariantViolations(state), where).toEqual([]);
      expect(state.status === 'CONFIRMED' && state.failure !== undefined, where).toBe(false);
      if (state.status === 'CANCELLED') {
        expect(['reserved', 'committed'], where).not.toContain(lanes(state).stock);
        expect(lanes(state).payment, where).not.toBe('settled');
      }
    }
    // Both ends are reachable, and so are timeouts after a dropped answer and answers after their deadline.
    expect(paths.some((p) => p.state.status === 'CONFIRMED')).toBe(true);
    expect(paths.some((p) => p.state.status === 'CANCELLED')).toBe(true);
    expect(paths.some((p) => p.state.failure?.reason === 'STEP_TIMEOUT')).toBe(true);
    const lateAnswer = ({ state }: { state: SagaState }) =>
      state.steps.settlePayment === 'timed_out' && 'settlePayment' in state.results;
    expect(paths.some(lateAnswer)).toBe(true);
  });
});
