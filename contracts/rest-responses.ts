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

// The saga's own state is the orchestrator's business; the API shows it as it is.
export const SagaView = z
  .object({
    orderId: z.uuid(),
    status: z.string(),
    version: z.number().int(),
    startedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    // What the saga is about, read off its state: what GET /sagas searches by.
    /** The user who placed the order. */
    customerId: z.string(),
    /** The order's total in cents, once the stock was reserved (Σ quantity × unit price); null before. */
    total: Cents.nullable(),
    /** Why the saga failed, from the moment it compensates; null otherwise. */
    reason: CancelReason.nullable(),
    /** When it became CONFIRMED or CANCELLED; null while it runs. */
    endedAt: z.iso.datetime().nullable(),
    /** The steps whose answer it waits for. */
    awaiting: z.array(z.string()),
    state: z.unknown(),
    steps: z.array(z.object({ step: z.string(), outcome: z.string(), messageId: z.uuid(), at: z.iso.datetime() })),
  })
  .meta({ id: 'Saga' });

/** A page of a saga search: `count`, how many match in all, only when asked for (`?count=true`). */
export const SagaPage = z
  .object({ items: z.array(SagaView), nextCursor: z.string().nullable(), count: Count.optional() })
  .meta({ id: 'SagaPage' });

/** What an operator's action did: the saga's status after it, and why it changed nothing if it did not. */
export const SagaActionResult = z
  .object({
    orderId: z.uuid(),
    action: z.enum(['cancel', 'retry', 'extend']),
    status: z.string(),
    /** The commands sent because of it (a cancel's compensations, a retry's commands). */
    sent: z.array(z.string()),
    /** Why the action changed nothing (a cancel of a saga already compensating); absent when it did. */
    ignored: z.string().optional(),
    /** True when this Idempotency-Key already acted on this saga: nothing was done again. */
    replayed: z.boolean().optional(),
  })
  .meta({ id: 'SagaActionResult' });

export const TraceEntry = z.object({
  messageId: z.uuid(),
  causationId: z.uuid().nullable(),
  type: z.string(),
  producer: z.string(),
  /** The instance of the producer that sent the message (its INSTANCE_ID); null where the sender did not say. */
  instance: z.string().nullable(),
  consumer: z.string(),
  direction: z.enum(['in', 'out']),
  outcome: z.string(),
  note: z.string().nullable(),
  occurredAt: z.iso.datetime(),
  recordedAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()).nullable().meta({
    description:
      "The message's data, its card sealed as it travels (never the number); null in a row recorded before the trace kept it.",
  }),
  change: z
    .record(z.string(), z.tuple([z.unknown(), z.unknown()]))
    .nullable()
    .meta({
      description:
        "What the input changed in the saga's state: each field that moved, as [before, after] (null where absent), an entry of its steps, deadlines or results named as `steps.settlePayment`; never the card. Null for what went out, for an input that changed nothing, and in a row recorded before the trace kept it.",
    }),
});

export const SagaTrace = z
  .object({ orderId: z.uuid(), status: z.string().nullable(), messages: z.array(TraceEntry) })
  .meta({ id: 'SagaTrace' });

/** A saga drawn for the web view: the Mermaid text of `saga-shop trace --mermaid`, and whether it can still change. */
export const SagaDiagram = z
  .object({
    orderId: z.uuid(),
    status: z.string().nullable(),
    /** CONFIRMED or CANCELLED: nothing more will be drawn. */
    finished: z.boolean(),
    mermaid: z.string(),
  })
  .meta({ id: 'SagaDiagram' });

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
