import type { Message } from '../../contracts';
import { stepByMessage, type SagaDefinition } from '../../contracts/steps';
import { inWords, WHOLE_SAGA } from '../../broker/messaging/handled-log';
import { traceIdOf } from '../../lib/tracing';
import { isOperatorAction } from '../decider/operator';
import { isTerminal, type Decision, type SagaInput, type SagaState } from '../decider/state';

/**
 * One line of a saga's story in the log (`saga step`): the order, the step of its table (or
 * `saga` for the whole saga), what happened, the message it is about, and the trace it belongs
 * to; the rest only where it says something.
 */
export interface SagaLogLine {
  orderId: string;
  step: string;
  outcome: string;
  type?: string;
  traceId: string | undefined;
  /** Why an input was ignored, or kept until its saga starts. */
  why?: string;
  /** The operator who acted, their reason, and by how much they extended the deadlines. */
  by?: string;
  reason?: string;
  byMs?: number;
  /** How the saga ended, with `reason`. */
  detail?: string;
  /** A command's step kind: forward, commit or compensation. */
  kind?: string;
}

/** An input as the runner traces it. */
type LoggedInput = SagaInput & Pick<Message, 'messageId' | 'causationId'>;

/**
 * What the log says of one input the orchestrator took, so that one grep of an order id tells
 * its saga's story: the input (the saga started, a step answered in words, a deadline passed,
 * a cancel, an operator's action with who and why, or why it was ignored), the saga's end with
 * its reason, and each message sent with its step's kind (a compensation says so). Pure: read
 * off what the decider returned, as the trace is; the orchestrator writes the lines once the
 * transaction has committed. `traceparent`: the span the commands went under. Literals of a
 * few fields and no payload: this runs for every message.
 */
export function sagaLogLines(
  input: LoggedInput,
  before: SagaState | undefined,
  decision: Decision,
  sent: readonly Message[],
  definition: SagaDefinition,
  traceparent: string | undefined,
): SagaLogLine[] {
  const traceId = traceIdOf(traceparent);
  const lines = [inputLine(input, before, decision, definition, traceId)];
  const after = decision.state;
  if (after && isTerminal(after) && !(before && isTerminal(before))) {
    const end: SagaLogLine = { orderId: after.orderId, step: WHOLE_SAGA, outcome: after.status, traceId };
    if (after.failure) {
      end.reason = after.failure.reason;
      end.detail = after.failure.detail;
    }
    lines.push(end);
  }
  for (const message of sent) lines.push(sentLine(message, definition, traceId, 'sent'));
  return lines;
}

function inputLine(
  input: LoggedInput,
  before: SagaState | undefined,
  { outcome }: Decision,
  definition: SagaDefinition,
  traceId: string | undefined,
): SagaLogLine {
  const { type } = input;
  const line: SagaLogLine = {
    orderId: input.data.orderId,
    step: type === 'DeadlinePassed' ? input.data.step : (stepByMessage(definition).get(type)?.step ?? WHOLE_SAGA),
    // Only an OrderRequested is applied to no saga: it starts one.
    outcome: outcome.kind !== 'applied' ? outcome.kind : before === undefined ? 'started' : inWords(type),
    type,
    traceId,
  };
  if (outcome.kind !== 'applied') line.why = outcome.why;
  if (isOperatorAction(input)) {
    line.by = input.data.by;
    line.reason = input.data.reason;
    if (input.type === 'ExtendSaga') line.byMs = input.data.byMs;
  }
  return line;
}

/** A line for each message the saga sent (`outcome`: sent, or sent again after a restart). */
export function sentLines(
  sent: readonly Message[],
  definition: SagaDefinition,
  traceparent: string | undefined,
  outcome: string,
): SagaLogLine[] {
  const traceId = traceIdOf(traceparent);
  return sent.map((message) => sentLine(message, definition, traceId, outcome));
}

function sentLine(
  { correlationId, type }: Message,
  definition: SagaDefinition,
  traceId: string | undefined,
  outcome: string,
): SagaLogLine {
  const step = stepByMessage(definition).get(type)?.step;
  const line: SagaLogLine = { orderId: correlationId, step: step ?? WHOLE_SAGA, outcome, type, traceId };
  if (step !== undefined) line.kind = definition.steps[step]!.kind;
  return line;
}
