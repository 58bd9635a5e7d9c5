import { z } from 'zod';
import { PricedLine } from './messages';
import { CancelReason, OrderStatus } from './reasons';

/** What the API answers. Not strict: a client must accept fields added later. */

const Count = z.number().int().nonnegative();
const Cents = z.number().int();
const ids = {
  user: '0b6f1a52-8a39-4f0e-b1a4-3c2d9e8f7a61',
  product: '3f2b8c1e-5d4a-4e6b-9a7c-1d2e3f4a5b6c',
  order: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  invoice: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
};
const at = '2025-01-15T10:30:00.000Z';

export const User = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['customer', 'admin']),
    active: z.boolean(),
  })
  .meta({
    id: 'User',
    examples: [{ id: ids.user, name: 'Ann', email: 'ann@example.com', role: 'customer', active: true }],
  });
export type User = z.infer<typeof User>;
export type Role = User['role'];

export const LoginResponse = z
  .object({ token: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() })
  .meta({
    id: 'LoginResponse',
    examples: [{ token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', tokenType: 'Bearer', expiresIn: 3600 }],
  });

export const Product = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    priceCents: Cents,
    /** Units available to reserve. */
    stock: z.number().int(),
    reserved: z.number().int(),
    sold: z.number().int(),
    /** Set once the product is withdrawn from the catalogue; old orders still show it. */
    archivedAt: z.iso.datetime().optional(),
  })
  .meta({
    id: 'Product',
    examples: [
      {
        id: ids.product,
        name: 'Mug',
        description: 'Stoneware, 350 ml',
        priceCents: 1250,
        stock: 8,
        reserved: 0,
        sold: 2,
      },
    ],
  });
export type Product = z.infer<typeof Product>;

export const OrderHistoryEntry = z.object({
  status: OrderStatus,
  at: z.iso.datetime(),
  reason: CancelReason.optional(),
  detail: z.string().optional(),
});

export const Order = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    status: OrderStatus,
    reason: CancelReason.optional(),
    detail: z.string().optional(),
    // The name and price the stock was reserved at, once the order is confirmed.
    items: z.array(PricedLine.partial({ name: true, unitPriceCents: true })),
    totalCents: z.number().int().optional(),
    invoiceId: z.uuid().optional(),
    cardLast4: z.string(),
    history: z.array(OrderHistoryEntry),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'Order',
    examples: [
      {
        id: ids.order,
        userId: ids.user,
        status: 'CONFIRMED',
        items: [{ productId: ids.product, quantity: 2, name: 'Mug', unitPriceCents: 1250 }],
        totalCents: 2500,
        invoiceId: ids.invoice,
        cardLast4: '4242',
        history: [
          { status: 'PENDING', at },
          { status: 'CONFIRMED', at },
        ],
        createdAt: at,
        updatedAt: at,
      },
    ],
  });
export type Order = z.infer<typeof Order>;

export const OrderStats = z
  .object({
    counts: z.record(OrderStatus, Count),
    /** The sum of the confirmed orders' totals. */
    revenueCents: Cents,
    /** Revenue per confirmed order, rounded to the cent; null before the first one. */
    averageOrderValueCents: Cents.nullable(),
    cancellationsByReason: z.record(CancelReason, Count),
  })
  .meta({
    id: 'OrderStats',
    examples: [
      {
        counts: { PENDING: 1, CONFIRMED: 4, CANCELLED: 2 },
        revenueCents: 10_000,
        averageOrderValueCents: 2500,
        cancellationsByReason: {
          USER_REJECTED: 0,
          OUT_OF_STOCK: 1,
          UNKNOWN_PRODUCT: 0,
          PAYMENT_DECLINED: 1,
          STEP_TIMEOUT: 0,
          CANCELLED_BY_CUSTOMER: 0,
          CANCELLED_BY_OPERATOR: 0,
        },
      },
    ],
  });
export type OrderStats = z.infer<typeof OrderStats>;

export const Invoice = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    userId: z.uuid(),
    lines: z.array(PricedLine),
    totalCents: z.number().int(),
    cardLast4: z.string(),
    issuedAt: z.iso.datetime(),
    /** When the payment was refunded (the order was cancelled after it settled); absent otherwise. */
    refundedAt: z.iso.datetime().optional(),
  })
  .meta({
    id: 'Invoice',
    examples: [
      {
        id: ids.invoice,
        orderId: ids.order,
        userId: ids.user,
        lines: [{ productId: ids.product, quantity: 2, name: 'Mug', unitPriceCents: 1250 }],
        totalCents: 2500,
        cardLast4: '4242',
        issuedAt: at,
      },
    ],
  });
export type Invoice = z.infer<typeof Invoice>;

export const DeadLetterView = z
  .object({
    id: z.string(),
    queue: z.string(),
    routingKey: z.string(),
    payload: z.string(),
    reason: z.string(),
    attempts: z.number().int(),
    deadLetteredAt: z.iso.datetime(),
  })
  .meta({ id: 'DeadLetter' });

const Row = <T extends z.ZodRawShape>(shape: T) => z.array(z.object(shape));

/**
 * What one service holds of what `saga-shop audit` checks, read in one transaction: the rows of
 * its own tables, under the names of the audit's state (orders: orders and history; orchestrator:
 * sagas; products: products and reservations; payments: payments).
 */
export const AuditSnapshot = z
  .object({
    orders: Row({ id: z.string(), status: z.string() }),
    /** Every status each order went through, in order. */
    history: Row({ orderId: z.string(), status: z.string() }),
    sagas: Row({ orderId: z.string(), status: z.string() }),
    products: Row({ id: z.string(), stock: z.number(), reserved: z.number(), sold: z.number(), received: z.number() }),
    reservations: Row({
      orderId: z.string(),
      productId: z.string(),
      quantity: z.number(),
      status: z.enum(['reserved', 'committed', 'released']),
    }),
    payments: Row({ id: z.string(), orderId: z.string(), status: z.enum(['settled', 'declined', 'refunded']) }),
  })
  .partial()
  .meta({
    id: 'AuditSnapshot',
    examples: [{ sagas: [{ orderId: ids.order, status: 'CONFIRMED' }] }],
  });
export type AuditSnapshot = z.infer<typeof AuditSnapshot>;

const CheckStatus = z.enum(['ok', 'down']);

export const Health = z
  .object({
    status: CheckStatus,
    /**
     * What is down, as `broker`, `<service>.database` or `<service>.outbox` (and, on HEALTH_PORT,
     * `event-loop`: the process has not reported for seconds); empty when all is well.
     */
    down: z.array(z.string()),
    checks: z.object({
      broker: z.object({ status: CheckStatus, transport: z.enum(['in-process', 'rabbitmq']) }),
      services: z.record(
        z.string(),
        z.object({
          database: CheckStatus,
          outbox: z.object({
            status: CheckStatus,
            pending: Count.nullable(),
            oldestAgeSeconds: z.number().nonnegative().nullable(),
          }),
          /** Orders only: new orders are refused (503) while this many or more are still pending. */
          admission: z.object({ status: z.enum(['accepting', 'shedding']), pending: Count, limit: Count }).optional(),
        }),
      ),
    }),
  })
  .meta({
    id: 'Health',
    examples: [
      {
        status: 'ok',
        down: [],
        checks: {
          broker: { status: 'ok', transport: 'in-process' },
          services: { users: { database: 'ok', outbox: { status: 'ok', pending: 0, oldestAgeSeconds: null } } },
        },
      },
    ],
  });
export type Health = z.infer<typeof Health>;

/** `{items, nextCursor}`: pass `nextCursor` back as `?cursor=` for the next page; null on the last. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });

export const ApiError = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      /** The request's `X-Request-Id`: quote it when reporting a problem. */
      requestId: z.string().optional(),
    }),
  })
  .meta({
    id: 'Error',
    examples: [
      {
        error: {
          code: 'validation_failed',
          message: 'invalid email',
          details: [{ path: 'email', message: 'Invalid email address' }],
          requestId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
        },
      },
    ],
  });
export type ApiError = z.infer<typeof ApiError>;
