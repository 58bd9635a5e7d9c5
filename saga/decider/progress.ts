import type { SagaDefinition } from '../../contracts/steps';
import { commandFor, isTerminal, type Decision, type SagaCommand, type SagaState, type StepStatus } from './state';

type Progress = Pick<Decision, 'state' | 'commands'>;

/**
 * Issues what the state now calls for: every step whose needs have all succeeded, the
 * confirmation once every forward and commit step has, or compensation after a failure.
 */
export function advance(definition: SagaDefinition, state: SagaState): Progress {
  if (isTerminal(state)) return { state, commands: [] };
  if (state.failure) return compensate(definition, state);

  const forward = Object.entries(definition.steps).filter(([, record]) => record.kind !== 'compensation');
  const ready = forward
    .filter(([step, record]) => state.steps[step] === 'waiting')
    .filter(([, record]) => (record.needs ?? []).every((need) => state.steps[need] === 'succeeded'))
    .map(([step]) => step);
  if (ready.length > 0) {
    const next = withStatus(state, ready, 'pending');
    return { state: next, commands: ready.map((step) => commandFor(definition, next, step)) };
  }
  if (forward.every(([step]) => state.steps[step] === 'succeeded')) {
    const data = definition.confirmation(state) as Extract<SagaCommand, { type: 'OrderConfirmed' }>['data'];
    return { state: { ...state, status: 'CONFIRMED' }, commands: [{ type: 'OrderConfirmed', data }] };
  }
  return { state, commands: [] };
}

/**
 * Undoes what happened, waits for the answers still owed, then cancels. A compensation starts
 * once a step it undoes succeeded or timed out (a step whose answer is missing may still have
 * happened; the participant treats the undoing of what it never did as done, and then refuses
 * the late command), and none of them is still in flight: it undoes them all at once.
 */
function compensate(definition: SagaDefinition, state: SagaState): Progress {
  let next: SagaState = { ...state, status: 'COMPENSATING' };
  const started: string[] = [];
  for (const [undo, record] of Object.entries(definition.steps)) {
    if (record.kind !== 'compensation' || next.steps[undo] !== 'waiting') continue;
    const undone = Object.keys(definition.steps).filter((step) => definition.steps[step]!.undoneBy === undo);
    const happened = undone.some((step) => next.steps[step] === 'succeeded' || next.steps[step] === 'timed_out');
    if (happened && !undone.some((step) => next.steps[step] === 'pending')) started.push(undo);
  }
  next = withStatus(next, started, 'pending');
  const commands = started.map((undo) => commandFor(definition, next, undo));

  // An answer that leaves nothing to undo (a check, such as the user's) is not waited for.
  const owed = (step: string) =>
    next.steps[step] === 'pending' &&
    (definition.steps[step]!.kind !== 'forward' || definition.steps[step]!.undoneBy !== undefined);
  if (Object.keys(next.steps).some(owed)) return { state: next, commands };

  const { reason, detail } = next.failure!;
  return {
    state: { ...next, status: 'CANCELLED' },
    commands: [
      ...commands,
      { type: 'OrderCancelled', data: { orderId: next.orderId, reason, ...(detail ? { detail } : {}) } },
    ],
  };
}

const withStatus = (state: SagaState, steps: string[], status: StepStatus): SagaState =>
  steps.length === 0
    ? state
    : { ...state, steps: { ...state.steps, ...Object.fromEntries(steps.map((step) => [step, status])) } };
