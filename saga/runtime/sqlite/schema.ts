import { customType, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { CancelReason } from '../../../contracts';
import type { Inbound } from '../../../contracts/topology';
import type { SagaState, SagaStatus } from '../../decider/decide';
import { upcast, type LaneState } from '../../decider/upcast';

export { inbox, outbox } from '../../../broker/messaging/sqlite/tables';

/** The saga's state as JSON text, read in today's shape whatever release wrote it. */
const sagaState = customType<{ data: SagaState; driverData: string }>({
  dataType: () => 'text',
  toDriver: (state) => JSON.stringify(state),
  fromDriver: (text) => upcast(JSON.parse(text) as SagaState | LaneState),
});

/** One row per order. `version` makes every update optimistic, so two orchestrators can never both advance one saga. */
export const sagas = sqliteTable(
  'sagas',
  {
    orderId: text('order_id').primaryKey(),
    status: text('status').$type<SagaStatus>().notNull(),
    version: integer('version').notNull(),
    state: sagaState('state').notNull(),
    /** The earliest deadline in `state`, as a column so due sagas are found by an index. */
    nextDeadlineAt: text('next_deadline_at'),
    startedAt: text('started_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    /**
     * The span that started the saga (W3C traceparent): what the saga sends on its own, at a
     * deadline or after a restart, goes under it, in the trace of the request that placed the order.
     */
    traceparent: text('traceparent'),
    /** The W3C tracestate of the message that started the saga, sent on with `traceparent`; null when it had none. */
    tracestate: text('tracestate'),
    // What the saga is about (`facetsOf`), written with the state by every save, for the search
    // (`listSagas`); null in a row an older release wrote that the upgrade could not read it from.
    customerId: text('customer_id'),
    /** The order's total once the stock was reserved; null before. */
    totalCents: integer('total_cents'),
    reason: text('reason').$type<CancelReason>(),
    /** When the saga became CONFIRMED or CANCELLED; null while it runs. */
    endedAt: text('ended_at'),
    /** The steps awaited, as `,step,step,` (`searchColumns`); null when none is. */
    awaiting: text('awaiting'),
  },
  (table) => [
    // The list of every saga, newest first.
    index('sagas_started').on(table.startedAt, table.orderId),
    index('sagas_next_deadline').on(table.nextDeadlineAt),
    // Each filter's list, newest first after its key, so its first page is read as a page
    // (`leadOf` in ../search.ts says which a search is read by).
    index('sagas_status').on(table.status, table.startedAt, table.orderId),
    index('sagas_customer').on(table.customerId, table.startedAt, table.orderId),
    index('sagas_reason').on(table.reason, table.startedAt, table.orderId),
    index('sagas_total').on(table.totalCents, table.startedAt, table.orderId),
    // Null first: the sagas still running, newest first (what an awaited step is looked for in).
    index('sagas_ended').on(table.endedAt, table.startedAt, table.orderId),
  ],
);
export type SagaRow = typeof sagas.$inferSelect;

/**
 * The products of each saga's order, one row each, written as the saga starts (an order's lines
 * never change): the search by product, newest first by the key itself.
 */
export const sagaProducts = sqliteTable(
  'saga_products',
  {
    productId: text('product_id').notNull(),
    startedAt: text('started_at').notNull(),
    orderId: text('order_id').notNull(),
  },
  (table) => [primaryKey({ columns: [table.productId, table.startedAt, table.orderId] })],
);

/**
 * Every message into and out of a saga, applied or not: what the event-trace CLI shows, and
 * what the step log is read from (`step-log.ts`).
 */
export const sagaTrace = sqliteTable(
  'saga_trace',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    orderId: text('order_id').notNull(),
    messageId: text('message_id').notNull(),
    causationId: text('causation_id'),
    type: text('type').notNull(),
    producer: text('producer').notNull(),
    /** The instance of the producer that sent it (INSTANCE_ID): which of several did the work. */
    instance: text('instance'),
    consumer: text('consumer').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    /** `applied` or `ignored` for what came in, `sent` for what went out. */
    outcome: text('outcome', { enum: ['applied', 'ignored', 'sent'] }).notNull(),
    note: text('note'),
    /** The message's data as JSON (a card stays sealed), for the trace's payload view. */
    data: text('data'),
    /** What an applied input changed in the saga's state, as JSON (`state-change.ts`). */
    change: text('change'),
    occurredAt: text('occurred_at').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (table) => [index('saga_trace_order').on(table.orderId), index('saga_trace_recorded_at').on(table.recordedAt)],
);
export type TraceRow = typeof sagaTrace.$inferSelect;

/**
 * Messages taken before their saga started (a customer's cancel handled before its
 * OrderRequested, which another delivery or instance still holds): kept until the saga starts,
 * and applied in the transaction that starts it, in the order they came.
 */
export const earlyInputs = sqliteTable(
  'early_inputs',
  {
    messageId: text('message_id').primaryKey(),
    orderId: text('order_id').notNull(),
    message: text('message', { mode: 'json' }).$type<Inbound<'orchestrator'>>().notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [index('early_inputs_order').on(table.orderId, table.receivedAt)],
);
