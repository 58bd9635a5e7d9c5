import { z } from 'zod';
import { dataSchemas, Id } from './message-data';
import { ServiceName } from './services';
import { lateReplyValues } from './steps';

export { OrderLine, OrderLines, PricedLine, SealedCard } from './message-data';

/** The `data` schema of every message type, keyed by type: the message catalogue. */
export const messageData = {
  ...dataSchemas,
  /** An answer came after its step's deadline; the saga undid it. Tells orders why, for its history. */
  LateReplyCompensated: z.strictObject({
    orderId: Id,
    step: z.enum(lateReplyValues.steps),
    compensation: z.enum(lateReplyValues.compensations),
  }),
} as const;

export type MessageType = keyof typeof messageData;
export const messageTypes = Object.keys(messageData) as MessageType[];
export type MessageData<T extends MessageType> = z.infer<(typeof messageData)[T]>;

/**
 * A W3C tracestate as lib/tracing.ts writes it: up to 32 `key=value` members separated by commas,
 * a value being printable ASCII but `,` and `=`, not ending in a space
 * (https://www.w3.org/TR/trace-context/#tracestate-header).
 */
const tracestateMember = String.raw`[a-z0-9][_0-9a-z*/@-]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]`;
const tracestateList = new RegExp(`^${tracestateMember}(,${tracestateMember}){0,31}$`);

const envelopeFields = {
  messageId: Id,
  version: z.literal(1),
  /** The saga, which is the order: every message of one order shares it. */
  correlationId: Id,
  /** The message that caused this one; null for the first message of a saga. */
  causationId: Id.nullable(),
  occurredAt: z.iso.datetime(),
  producer: ServiceName,
  /**
   * Which instance of the producer sent it (its INSTANCE_ID, by default host and process id):
   * where several instances of a service share its queue, which of them did the work. Absent
   * from a message sent by a version that did not carry it.
   */
  instance: z.string().min(1).max(200).optional(),
  /**
   * W3C trace context: the span that sent this message (lib/tracing.ts), so that every message
   * of an order is one trace with the request that placed it. Absent from a message sent by a
   * version that did not carry it.
   */
  traceparent: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent')
    .optional(),
  /**
   * W3C trace context: the vendors' `tracestate` that span carries on from the request that
   * began the trace; absent when it had none.
   */
  tracestate: z.string().max(512).regex(tracestateList, 'a W3C tracestate').optional(),
};

function envelopeOf<T extends MessageType>(type: T) {
  return z.strictObject({ ...envelopeFields, type: z.literal(type), data: messageData[type] });
}

type EnvelopeSchemas = { [T in MessageType]: ReturnType<typeof envelopeOf<T>> };
const envelopeSchemas = Object.fromEntries(messageTypes.map((type) => [type, envelopeOf(type)])) as EnvelopeSchemas;

/** Any message on the wire: a discriminated union over `type`. */
export const Message = z.discriminatedUnion(
  'type',
  Object.values(envelopeSchemas) as [EnvelopeSchemas[MessageType], ...EnvelopeSchemas[MessageType][]],
);
export type Message = z.infer<typeof Message>;
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** What a schema found wrong, on one line: for a dead letter's reason or a log line. */
export const describeProblems = (error: z.ZodError): string => z.prettifyError(error).replaceAll('\n', '; ');

/** The account-status events: about a user, not an order, so they carry no `orderId`. */
export type AccountEvent = MessageOf<'UserDeactivated' | 'UserReactivated'>;
/** Every message of an order's saga: each one's `data.orderId` names the order. */
export type OrderMessage = Exclude<Message, AccountEvent>;
