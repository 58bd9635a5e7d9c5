import type { OrderMessage } from '../../contracts';
import { stepByMessage, type SagaDefinition } from '../../contracts/steps';
import { applied, ignore, notAwaited, type Decision, type SagaState } from './state';

type Received = { state: SagaState } | { ignored: string };
type Message = OrderMessage;

/** Records a participant's answer, or the customer's cancel, in the state; or says why it does not fit. */
export function receive(definition: SagaDefinition, state: SagaState, message: Message): Received {
  if (message.type === 'OrderCancellationRequested') {
    const { reason } = message.data;
    const failure = reason
      ? { reason: 'CANCELLED_BY_OPERATOR' as const, detail: reason }
      : { reason: 'CANCELLED_BY_CUSTOMER' as const };
    return { state: { ...state, failure: state.failure ?? failure } };
  }
  const answer = stepByMessage(definition).get(message.type);
  if (!answer || answer.outcome === 'started') return { ignored: `${message.type} is not an input of the saga` };
  const { step, outcome } = answer;
  const record = definition.steps[step]!;
  const status = state.steps[step];
  if (status !== 'pending') return { ignored: notAwaited(step, status) };
  if (outcome === 'succeeded') {
    // What a forward step answered is what later commands are built from.
    const results = record.kind === 'forward' ? { ...state.results, [step]: message.data } : state.results;
    return { state: { ...state, steps: { ...state.steps, [step]: 'succeeded' }, results } };
  }
  const failure = state.failure ?? record.failure!(message.data as never);
  return { state: { ...state, steps: { ...state.steps, [step]: 'failed' }, failure } };
}

/**
 * An answer to a step whose deadline passed, whatever the saga's status. The saga undid that
 * step when it timed out, so nothing more is sent to the participant: a late success only tells
 * orders that an effect happened late and was undone (once; the state keeps what the answer
 * said), and a late failure, or a late answer of a step with nothing to undo, changes nothing.
 * Undefined when the answer is not late.
 */
export function lateReply(definition: SagaDefinition, state: SagaState, message: Message): Decision | undefined {
  const answer = stepByMessage(definition).get(message.type);
  if (!answer || answer.outcome === 'started' || state.steps[answer.step] !== 'timed_out') return undefined;
  const { step } = answer;
  const undo = definition.steps[step]!.undoneBy;
  if (answer.outcome === 'failed' || !undo) return ignore(state, `${step} had timed out; nothing to undo`);
  if (step in state.results) return ignore(state, `${step} had timed out; its late answer is already noted`);
  return applied({ ...state, results: { ...state.results, [step]: message.data } }, [
    {
      type: 'LateReplyCompensated',
      data: { orderId: state.orderId, step, compensation: definition.steps[undo]!.command },
    },
  ]);
}
