import { describe, expect, it } from 'vitest';
import type { MessageType, OrderMessage, Outgoing } from '../contracts';
import { decide, isTerminal, pendingSteps } from './order-saga';
import type { SagaInput, SagaState } from './order-saga';
import { stepOf, type StepName } from '../contracts/steps';
import {
  cancellationRequested,
  deadlinePassed,
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
  inputs: SagaInput[];
  state: SagaState;
}

/** A command sent and not yet answered, with the step whose deadline covers it. */
interface Outstanding {
  command: MessageType;
  step: StepName;
}

/** How many faults of each kind one path may hold: enough to combine them, few enough to finish. */
const budget = { cancels: 1, duplicates: 1, drops: 1, deadlines: 2 };

/**
 * Every interleaving of what can reach the saga: the participants' answers to the commands it
 * issued, in any order; a customer cancel at any point; one duplicate of an earlier reply; one
 * answer dropped (never delivered); and deadlines passing for any step still awaited or whose
 * answer was dropped, so that answers also arrive after their deadline.
 */
function explore(): Path[] {
  const done: Path[] = [];
  // Where two orders of events lead to the same point, what follows is the same: walk it once.
  const seen = new Set<string>();
  const walk = (
    state: SagaState,
    inputs: SagaInput[],
    outstanding: Outstanding[],
    /** Steps whose answer was dropped: only their deadline can move the saga on. */
    silent: StepName[],
    used: typeof budget,
    clock: Date,
  ): void => {
    const point = JSON.stringify([state, outstanding.map((o) => o.command).sort(), [...silent].sort(), used, clock]);
    if (seen.has(point)) return;
    seen.add(point);
    // A saga that nothing can reach any more, neither an answer nor a deadline, is stuck.
    const pendingDeadline = Object.values(state.deadlines).some((at) => at !== undefined);
    if (!isTerminal(state) && outstanding.length === 0 && !pendingDeadline) {
      throw new Error(
        `stuck ${state.status}: nothing to answer and no deadline, after ${inputs.map(label).join(' → ')}`,
      );
    }
    if (outstanding.length === 0 && silent.length === 0) done.push({ inputs, state });
    // No input: an answer was dropped, and nothing reaches the saga.
    const nexts: Array<{ input?: SagaInput; outstanding: Outstanding[]; silent: StepName[]; used: typeof budget }> = [];
    const spend = (kind: keyof typeof budget) => ({ ...used, [kind]: used[kind] + 1 });
    const has = (kind: keyof typeof budget) => used[kind] < budget[kind];

    outstanding.forEach((entry, i) => {
      const rest = outstanding.filter((_, j) => j !== i);
      for (const reply of replyTo[entry.command] ?? []) nexts.push({ input: reply(), outstanding: rest, silent, used });
      if (!has('drops')) return;
      // Only a deadline can make up for a lost message the saga still waits for.
      if (!isTerminal(state) && pendingSteps(state).includes(entry.step) && state.deadlines[entry.step] === undefined) {
        const where = inputs.map(label).join(' → ');
        throw new Error(`${entry.command} or its answer lost, and ${entry.step} has no deadline, after ${where}`);
      }
      nexts.push({ outstanding: rest, silent: [...silent, entry.step], used: spend('drops') });
    });
    if (has('deadlines')) {
      const steps = new Set([...outstanding.map((entry) => entry.step), ...silent]);
      for (const step of steps) {
        // A step no longer awaited has no deadline: its answer, if it comes, changes nothing.
        if (state.deadlines[step] === undefined) continue;
        nexts.push({
          input: deadlinePassed(step),
          outstanding,
          silent: silent.filter((s) => s !== step),
          used: spend('deadlines'),
        });
      }
    }
    if (has('cancels')) nexts.push({ input: cancellationRequested(), outstanding, silent, used: spend('cancels') });
    if (has('duplicates')) {
      const replies = inputs.filter(
        (m) => m.type !== 'OrderRequested' && m.type !== 'OrderCancellationRequested' && m.type !== 'DeadlinePassed',
      );
      const last = replies[replies.length - 1];
      if (last) nexts.push({ input: last, outstanding, silent, used: spend('duplicates') });
    }

    for (const next of nexts) {
      const { input } = next;
      if (!input) {
        walk(state, inputs, next.outstanding, next.silent, next.used, clock);
        continue;
      }
      const due = input.type === 'DeadlinePassed' ? state.deadlines[input.data.step] : undefined;
      const at = due && Date.parse(due) > clock.getTime() ? new Date(due) : clock;
      const decision = decide(state, input, { ...policy, now: at });
      const after = decision.state!;
      const where = () => [...inputs, input].map(label).join(' → ');
      const violations = invariantViolations(after);
      if (violations.length > 0) throw new Error(`${violations.join('; ')} after ${where()}`);
      if (next.used.duplicates > used.duplicates && decision.commands.length > 0) {
        throw new Error(
          `duplicate ${input.type} emitted ${decision.commands.map((c) => c.type).join(', ')} after ${where()}`,
        );
      }
      const sent = decision.commands.flatMap((c) => {
        const started = stepOf(c.type);
        return started?.outcome === 'started' ? [{ command: c.type, step: started.step }] : [];
      });
      walk(after, [...inputs, input], [...next.outstanding, ...sent], next.silent, next.used, at);
    }
  };
  const first = decide(undefined, orderRequested(), policy);
  walk(
    first.state!,
    [orderRequested()],
    [
      { command: 'VerifyUser', step: 'verifyUser' },
      { command: 'ReserveStock', step: 'reserveStock' },
    ],
    [],
    { cancels: 0, duplicates: 0, drops: 0, deadlines: 0 },
    policy.now,
  );
  return done;
}

const label = (input: SagaInput) => (input.type === 'DeadlinePassed' ? `deadline(${input.data.step})` : input.type);

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

  it('every interleaving of replies, a cancel, a duplicate, a dropped answer and deadlines ends terminal with the invariants held', () => {
    const paths = explore();
    expect(paths.length).toBeGreaterThan(50);
    for (const { inputs, state } of paths) {
      const where = inputs.map(label).join(' → ');
      expect(isTerminal(state), where).toBe(true);
      expect(invariantViolations(state), where).toEqual([]);
      expect(state.status === 'CONFIRMED' && state.failure !== undefined, where).toBe(false);
      if (state.status === 'CANCELLED') {
        expect(['reserved', 'committed'], where).not.toContain(state.stock);
        expect(state.payment, where).not.toBe('settled');
      }
    }
    // Both ends are reachable, and so are timeouts after a dropped answer and answers after their deadline.
    expect(paths.some((p) => p.state.status === 'CONFIRMED')).toBe(true);
    expect(paths.some((p) => p.state.status === 'CANCELLED')).toBe(true);
    expect(paths.some((p) => p.state.failure?.reason === 'STEP_TIMEOUT')).toBe(true);
    const lateAnswer = ({ state }: Path) => state.timedOut?.includes('settlePayment') && state.invoiceId !== undefined;
    expect(paths.some(lateAnswer)).toBe(true);
  });
});
