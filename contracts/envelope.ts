import type { MessageData, MessageOf, MessageType } from './messages';
import type { ServiceName } from './services';
import { newId } from '../lib/ids';

/** A message before it has an envelope: what a decider or handler decides to send. */
export type Outgoing<T extends MessageType = MessageType> = T extends MessageType
  ? { type: T; data: MessageData<T> }
  : never;

export interface EnvelopeContext {
  producer: ServiceName;
  /** Which instance of the producer sends it (INSTANCE_ID); the Endpoint adds its own when absent. */
  instance?: string;
  correlationId: string;
  causationId: string | null;
  /** The span sending it, as W3C `traceparent` (lib/tracing.ts). */
  traceparent?: string;
  /** Injected so callers (and tests) decide identity and time. */
  messageId?: string;
  now?: Date;
}

export function envelope<T extends MessageType>(message: Outgoing<T>, context: EnvelopeContext): MessageOf<T> {
  return {
    messageId: context.messageId ?? newId(),
    type: message.type,
    version: 1,
    correlationId: context.correlationId,
    causationId: context.causationId,
    occurredAt: (context.now ?? new Date()).toISOString(),
    producer: context.producer,
    ...(context.instance && { instance: context.instance }),
    ...(context.traceparent && { traceparent: context.traceparent }),
    data: message.data,
  } as MessageOf<T>;
}
