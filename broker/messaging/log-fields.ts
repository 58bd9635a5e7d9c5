import type { Message } from '../../contracts';
import { traceIdOf } from '../../lib/tracing';

/** What every log line about a message carries, so that one grep of an order or a trace id finds it. */
export const messageLogFields = ({ correlationId, messageId, causationId, type, traceparent }: Message) => ({
  correlationId,
  messageId,
  causationId,
  type,
  traceId: traceIdOf(traceparent),
});
