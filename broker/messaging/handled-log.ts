import type { Message } from '../../contracts';
import { orderSaga, stepOf, type SagaDefinition } from '../../contracts/steps';
import type { Logger } from '../../lib/logger';
import { traceIdOf } from '../../lib/tracing';

/**
 * The step named by a log line about a whole saga rather than one of its table's steps: its
 * start and end, a cancel, an operator's action, the outcome orders records.
 */
export const WHOLE_SAGA = 'saga';

const words = new Map<string, string>();
/** A message type in words, as log lines give an outcome: `StockReserved` → `stock reserved`. */
export function inWords(type: string): string {
  let said = words.get(type);
  if (said === undefined) {
    said = type.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
    words.set(type, said);
  }
  return said;
}

const current: SagaDefinition = orderSaga;

/**
 * The logger of the lines that tell a saga's story (these, and the orchestrator's `saga step`
 * lines), bound once per service. Without the process's redaction: it goes by key, and each of
 * these lines is a literal of the fields of `HandledLogFields` or `SagaLogLine`, none of them
 * its keys and none a payload, so it would find nothing, at about half of what a line costs.
 */
export const storyLogger = (logger: Logger): Logger => logger.child({}, { redact: [] });

/** A line of the log about a message a service handled. */
export interface HandledLogFields {
  /** The order it is about; an event about an account has none, and names the account in `correlationId`. */
  orderId?: string;
  correlationId?: string;
  step?: string;
  type: string;
  outcome: string;
  traceId: string | undefined;
  reason?: string;
  detail?: string;
}

/**
 * What the log says of a message a service handled, so that one grep of an order id tells its
 * story: the order and the saga's step it is about, the message, and the outcome: what the
 * service answered, in words (`stock reserved`), with the reason a failure gives the saga (the
 * step table's); `refused` for a command answered by silence (it came after the compensation
 * that undid it); `applied` for an event, which nothing answers. A literal of a few fields, no
 * payload: it is written for every message.
 */
export function handledLogFields(
  message: Message,
  replies: readonly Pick<Message, 'type' | 'data'>[],
): HandledLogFields {
  const { type, traceparent } = message;
  const step = stepOf(type);
  const outcome =
    replies.length > 0
      ? replies.map((reply) => inWords(reply.type)).join(', ')
      : step?.outcome === 'started'
        ? 'refused'
        : 'applied';
  const traceId = traceIdOf(traceparent);
  if (!('orderId' in message.data)) return { correlationId: message.correlationId, type, outcome, traceId };
  const fields: HandledLogFields = {
    orderId: message.data.orderId,
    step: step?.step ?? WHOLE_SAGA,
    type,
    outcome,
    traceId,
  };
  const failed = replies.find((reply) => stepOf(reply.type)?.outcome === 'failed');
  if (failed) {
    const { reason, detail } = current.steps[stepOf(failed.type)!.step]!.failure!(failed.data as never);
    fields.reason = reason;
    fields.detail = detail;
  }
  return fields;
}
