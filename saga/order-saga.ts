import type { MessageOf } from '../contracts';
import { onDeadline, schedule } from './deadlines';
import { advance } from './progress';
import { lateReply, receive } from './replies';
import {
  applied,
  commandFor,
  ignore,
  isTerminal,
  pendingSteps,
  type Decision,
  type SagaCommand,
  type SagaInput,
  type SagaPolicy,
  type SagaState,
} from './state';

export * from './state';

/**
 * The order saga as a pure decision: (state, input, policy) → (state, commands). No I/O, and
 * time comes in through the policy; the runner persists the result and gives the commands
 * their envelopes.
 *
 * User verification and stock reservation start together; payment waits for both. The first
 * failure (a rejection, a decline, a deadline, the customer's cancel) wins and turns the saga
 * to compensation: it releases what was reserved, refunds what was settled, waits for the
 * answers still owed, then cancels the order. Success commits the stock, then confirms. An
 * answer that comes after its step's deadline is undone.
 */
export function decide(state: SagaState | undefined, input: SagaInput, policy: SagaPolicy): Decision {
  if (input.type === 'OrderRequested') {
    return state ? ignore(state, 'saga already started') : schedule(start(input), input, policy);
  }
  if (!state) {
    // Orders sends a cancel only for an order whose OrderRequested it sent first, but the cancel
    // may still be taken first (a retried OrderRequested, another instance): it must wait for it.
    return input.type === 'OrderCancellationRequested'
      ? { state, commands: [], outcome: { kind: 'early', why: 'the saga has not started yet' } }
      : ignore(undefined, 'no saga for this order');
  }
  const decision =
    input.type === 'DeadlinePassed' ? onDeadline(state, input.data.step, policy.now) : onMessage(state, input);
  return decision.outcome.kind === 'applied' ? schedule(decision, input, policy) : decision;
}

function onMessage(state: SagaState, message: Exclude<SagaInput, { type: 'DeadlinePassed' }>): Decision {
  const late = lateReply(state, message);
  if (late) return late;
  if (isTerminal(state)) return ignore(state, `saga already ${state.status}`);
  const received = receive(state, message);
  if ('ignored' in received) return ignore(state, received.ignored);
  const { state: next, commands } = advance(received.state);
  return applied(next!, commands);
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
    deadlines: {},
  };
  return applied(state, [commandFor(state, 'verifyUser'), commandFor(state, 'reserveStock')]);
}

/**
 * The commands of every step still awaiting an answer, to send again after a restart: the
 * command or its answer may have been lost with the process. Participants act once per order,
 * so a command that did arrive only brings a duplicate answer, which the saga ignores.
 */
export function resendPending(state: SagaState): SagaCommand[] {
  return pendingSteps(state).map((step) => commandFor(state, step));
}
