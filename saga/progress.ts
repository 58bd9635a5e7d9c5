import { commandFor, isTerminal, pendingSteps, type Decision, type SagaCommand, type SagaState } from './state';

type Progress = Pick<Decision, 'state' | 'commands'>;

/** Issues the commands the state now calls for: the next forward step, or compensation. */
export function advance(state: SagaState): Progress {
  if (isTerminal(state)) return { state, commands: [] };
  if (state.failure) return compensate(state);

  if (state.user === 'verified' && state.stock === 'reserved' && state.payment === 'not_started') {
    return { state: { ...state, payment: 'pending' }, commands: [commandFor(state, 'settlePayment')] };
  }
  if (state.payment === 'settled' && state.stock === 'reserved') {
    return { state: { ...state, stock: 'committing' }, commands: [commandFor(state, 'commitStock')] };
  }
  if (state.payment === 'settled' && state.stock === 'committed') {
    const { lines, totalCents } = state.priced!;
    return {
      state: { ...state, status: 'CONFIRMED' },
      commands: [
        { type: 'OrderConfirmed', data: { orderId: state.orderId, lines, totalCents, invoiceId: state.invoiceId! } },
      ],
    };
  }
  return { state, commands: [] };
}

/** Undoes what succeeded, waits for the answers still owed, then cancels. */
function compensate(state: SagaState): Progress {
  const commands: SagaCommand[] = [];
  let next: SagaState = { ...state, status: 'COMPENSATING' };

  // Committed stock is released too: a cancel can land between payment and commit. A step that
  // timed out is undone as if it happened: only its answer may be lost, and the participant
  // treats the undoing of what it never did as done (and then refuses the late command).
  if (next.stock === 'reserved' || next.stock === 'committed' || next.stock === 'timed_out') {
    next = { ...next, stock: 'releasing' };
    commands.push(commandFor(next, 'releaseStock'));
  }
  if (next.payment === 'settled' || next.payment === 'timed_out') {
    next = { ...next, payment: 'refunding' };
    commands.push(commandFor(next, 'refundPayment'));
  }

  // The user's answer changes nothing to undo, so it is not waited for.
  if (pendingSteps(next).some((step) => step !== 'verifyUser')) return { state: next, commands };

  const { reason, detail } = next.failure!;
  return {
    state: { ...next, status: 'CANCELLED' },
    commands: [
      ...commands,
      { type: 'OrderCancelled', data: { orderId: next.orderId, reason, ...(detail ? { detail } : {}) } },
    ],
  };
}
