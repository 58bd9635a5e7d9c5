import type { SagaDefinition } from '../../contracts/steps';
import { assertNever } from '../../lib/assert-never';
import { advance } from './progress';
import {
  applied,
  commandFor,
  ignore,
  isTerminal,
  pendingSteps,
  type Decision,
  type OperatorAction,
  type SagaState,
} from './state';

/**
 * What an operator's action does to a running saga. Cancel fails it like a customer's cancel,
 * with the operator's reason: it compensates what happened or may have (a step in flight is
 * waited for, then undone). Retry sends the command of every step still awaited again, its
 * deadline kept: for when a participant has come back. Extend moves the awaited steps'
 * deadlines on. An ended saga takes none of them.
 */
export function onOperator(definition: SagaDefinition, state: SagaState, action: OperatorAction): Decision {
  if (isTerminal(state)) return ignore(state, `saga already ${state.status}`);
  switch (action.type) {
    case 'CancelSaga': {
      if (state.failure) return ignore(state, `saga already compensating (${state.failure.reason})`);
      const failure = { reason: 'CANCELLED_BY_OPERATOR' as const, detail: action.data.reason };
      const { state: next, commands } = advance(definition, { ...state, failure });
      return applied(next!, commands);
    }
    case 'RetrySaga':
      return applied(
        state,
        pendingSteps(state).map((step) => commandFor(definition, state, step)),
      );
    case 'ExtendSaga': {
      const later = (at: string) => new Date(Date.parse(at) + action.data.byMs).toISOString();
      const deadlines = Object.fromEntries(
        // A step listed has a time: a deadline that goes is deleted, never set to undefined.
        Object.entries(state.deadlines).map(([step, at]) => [step, later(at!)]),
      );
      return applied({ ...state, deadlines }, []);
    }
    default:
      return assertNever(action);
  }
}

/** A Record, so a new action must be named here. */
const actions: Record<OperatorAction['type'], true> = { CancelSaga: true, RetrySaga: true, ExtendSaga: true };
export const isOperatorAction = (input: { type: string }): input is OperatorAction => input.type in actions;
