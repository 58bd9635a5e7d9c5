import type { MessageOf, OrderMessage } from '../../contracts';
import type { SagaDefinition } from '../../contracts/steps';
import { onDeadline, schedule } from './deadlines';
import { isOperatorAction, onOperator } from './operator';
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

/**
 * The order saga as a pure decision: (state, input, policy) → (state, commands). No I/O, and
 * time comes in through the policy; the runner persists the result and gives the commands
 * their envelopes. What the saga does is its step table's (contracts/steps.ts): steps start
 * once what they need has succeeded; the first failure (a rejection, a decline, a deadline,
 * the customer's cancel) wins and turns the saga to compensation, which undoes what happened,
 * waits for the answers still owed, then cancels the order. An answer that comes after its
 * step's deadline is undone.
 *
 * A saga runs under the definition it started with; one whose definition this process does
 * not know (a newer release's, during a rolling deploy) is left to another, never guessed at.
 */
export function decide(state: SagaState | undefined, input: SagaInput, policy: SagaPolicy): Decision {
  if (input.type === 'OrderRequested') {
    if (state) return ignore(state, 'saga already started');
    const definition = policy.definitions.at(-1)!;
    return schedule(definition, start(definition, input), input, policy);
  }
  if (!state) {
    // Orders sends a cancel only for an order whose OrderRequested it sent first, but the cancel
    // may still be taken first (a retried OrderRequested, another instance): it must wait for it.
    return input.type === 'OrderCancellationRequested'
      ? { state, commands: [], outcome: { kind: 'early', why: 'the saga has not started yet' } }
      : ignore(undefined, 'no saga for this order');
  }
  const definition = definitionOf(state, policy);
  if (!definition) {
    const why = `the saga runs under version ${state.definition} of the step table, which this process does not know`;
    return { state, commands: [], outcome: { kind: 'unknownDefinition', why } };
  }
  const decision =
    input.type === 'DeadlinePassed'
      ? onDeadline(definition, state, input.data.step, policy.now)
      : isOperatorAction(input)
        ? onOperator(definition, state, input)
        : onMessage(definition, state, input);
  return decision.outcome.kind === 'applied' ? schedule(definition, decision, input, policy) : decision;
}

function onMessage(definition: SagaDefinition, state: SagaState, message: OrderMessage): Decision {
  const late = lateReply(definition, state, message);
  if (late) return late;
  if (isTerminal(state)) return ignore(state, `saga already ${state.status}`);
  const received = receive(definition, state, message);
  if ('ignored' in received) return ignore(state, received.ignored);
  const { state: next, commands } = advance(definition, received.state);
  return applied(next!, commands);
}

function start(definition: SagaDefinition, { data }: MessageOf<'OrderRequested'>): Decision {
  const state: SagaState = {
    orderId: data.orderId,
    userId: data.userId,
    items: data.items,
    card: data.card,
    definition: definition.version,
    status: 'RUNNING',
    steps: Object.fromEntries(Object.keys(definition.steps).map((step) => [step, 'waiting'])),
    results: {},
    deadlines: {},
  };
  const { state: next, commands } = advance(definition, state);
  return applied(next!, commands);
}

/** The definition a saga runs under, if this process knows it. */
export const definitionOf = (state: SagaState, { definitions }: Pick<SagaPolicy, 'definitions'>) =>
  definitions.find((definition) => definition.version === state.definition);

/**
 * The commands of every step still awaiting an answer, to send again after a restart: the
 * command or its answer may have been lost with the process. Participants act once per order,
 * so a command that did arrive only brings a duplicate answer, which the saga ignores.
 */
export function resendPending(definition: SagaDefinition, state: SagaState): SagaCommand[] {
  return pendingSteps(state).map((step) => commandFor(definition, state, step));
}

export * from './state';
