import { z } from 'zod';
import { CancelReason } from './reasons';

/**
 * What the API answers about sagas: GET /sagas, one saga, its trace and its drawing, an operator's
 * action. Not strict, as rest-responses.ts: a client must accept fields added later.
 */

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
    total: z.number().int().nullable(),
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
  .object({
    items: z.array(SagaView),
    nextCursor: z.string().nullable(),
    count: z.number().int().nonnegative().optional(),
  })
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
