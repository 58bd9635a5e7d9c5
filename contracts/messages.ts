import { z } from 'zod';
import { CancelReason, DeclineReason, UserRejectionReason } from './reasons';
import { ServiceName } from './services';

const Id = z.uuid();
const Cents = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const OrderLine = z.strictObject({
  productId: Id,
  quantity: z.number().int().min(1).max(10_000),
});
export type OrderLine = z.infer<typeof OrderLine>;

/**
 * A reserved line: the product's name and unit price as they were when the stock was reserved,
 * so an order or an invoice still reads the same after a rename, a new price or an archive.
 */
export const PricedLine = OrderLine.extend({ name: z.string().min(1).max(100), unitPriceCents: Cents });
export type PricedLine = z.infer<typeof PricedLine>;

/**
 * A product appears on one line of an order at most, so a line's quantity is all the order
 * wants of it and obeys the line's cap; a repeat is refused, naming the product.
 */
function oneLinePerProduct(lines: readonly { productId: string }[], context: z.RefinementCtx): void {
  const lineOf = new Map<string, number>();
  lines.forEach(({ productId }, index) => {
    const first = lineOf.get(productId);
    if (first === undefined) lineOf.set(productId, index);
    else
      context.addIssue({
        code: 'custom',
        path: [index, 'productId'],
        message: `product ${productId} is already on line ${first}: put its whole quantity on one line`,
      });
  });
}

export const OrderLines = z.array(OrderLine).min(1).max(100).superRefine(oneLinePerProduct);
const PricedLines = z.array(PricedLine).min(1).max(100).superRefine(oneLinePerProduct);

/**
 * The card as it travels: sealed for the payments service (see card-token.ts), so no
 * full card number is ever in a message, an outbox row or a log line.
 */
export const SealedCard = z.strictObject({
  sealed: z.string().min(1).max(512),
  last4: z.string().regex(/^\d{4}$/),
});
export type SealedCard = z.infer<typeof SealedCard>;

/** The `data` schema of every message type, keyed by type: the message catalogue. */
export const messageData = {
  OrderRequested: z.strictObject({ orderId: Id, userId: Id, items: OrderLines, card: SealedCard }),
  OrderCancellationRequested: z.strictObject({ orderId: Id, requestedBy: Id }),
  VerifyUser: z.strictObject({ orderId: Id, userId: Id }),
  UserVerified: z.strictObject({ orderId: Id, userId: Id }),
  UserRejected: z.strictObject({ orderId: Id, userId: Id, reason: UserRejectionReason }),
  ReserveStock: z.strictObject({ orderId: Id, items: OrderLines }),
  StockReserved: z.strictObject({ orderId: Id, lines: PricedLines, totalCents: Cents }),
  StockRejected: z.strictObject({
    orderId: Id,
    reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_PRODUCT']),
    productId: Id,
  }),
  SettlePayment: z.strictObject({
    orderId: Id,
    userId: Id,
    lines: PricedLines,
    amountCents: Cents,
    card: SealedCard,
  }),
  PaymentSettled: z.strictObject({ orderId: Id, paymentId: Id, invoiceId: Id, amountCents: Cents }),
  PaymentDeclined: z.strictObject({ orderId: Id, reason: DeclineReason }),
  ReleaseStock: z.strictObject({ orderId: Id }),
  StockReleased: z.strictObject({ orderId: Id }),
  CommitStock: z.strictObject({ orderId: Id }),
  StockCommitted: z.strictObject({ orderId: Id }),
  RefundPayment: z.strictObject({ orderId: Id }),
  // paymentId is null when there was nothing to refund: the answer still closes the step.
  PaymentRefunded: z.strictObject({ orderId: Id, paymentId: Id.nullable(), amountCents: Cents }),
  OrderConfirmed: z.strictObject({
    orderId: Id,
    lines: PricedLines,
    totalCents: Cents,
    invoiceId: Id,
  }),
  /** An answer came after its step's deadline; the saga undid it. Tells orders why, for its history. */
  LateReplyCompensated: z.strictObject({
    orderId: Id,
    step: z.enum(['reserveStock', 'settlePayment']),
    compensation: z.enum(['ReleaseStock', 'RefundPayment']),
  }),
  OrderCancelled: z.strictObject({
    orderId: Id,
    reason: CancelReason,
    detail: z.string().max(200).optional(),
  }),

  // Account status, outside any saga: users publishes every change of an account's `active`, so
  // the services that refuse a deactivated account's token know without asking users. `version`
  // rises with every change; a consumer keeps the highest it has seen, whatever the arrival order.
  UserDeactivated: z.strictObject({ userId: Id, version: z.number().int().positive() }),
  UserReactivated: z.strictObject({ userId: Id, version: z.number().int().positive() }),
} as const;

export type MessageType = keyof typeof messageData;
export const messageTypes = Object.keys(messageData) as MessageType[];
export type MessageData<T extends MessageType> = z.infer<(typeof messageData)[T]>;

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
