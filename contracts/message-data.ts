import { z } from 'zod';
import { CancelReason, DeclineReason, UserRejectionReason } from './reasons';
import { ServiceName } from './services';

export const Id = z.uuid();
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

/**
 * The `data` schema of every message type but the one the step table shapes
 * (LateReplyCompensated, in messages.ts), keyed by type.
 */
export const dataSchemas = {
  OrderRequested: z.strictObject({ orderId: Id, userId: Id, items: OrderLines, card: SealedCard }),
  // `reason`: an operator's (an admin's) cancel says why; a customer's has none.
  OrderCancellationRequested: z.strictObject({ orderId: Id, requestedBy: Id, reason: z.string().max(200).optional() }),
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

export type DataType = keyof typeof dataSchemas;
export type Data<T extends DataType> = z.infer<(typeof dataSchemas)[T]>;
