import { bigint, customType, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { CancelReason } from '../../../contracts';
import type { Inbound } from '../../../contracts/topology';
import type { SagaState, SagaStatus } from '../../decider/decide';
import { upcast, type LaneState } from '../../decider/upcast';

export { inbox, outbox } from '../../../broker/messaging/postgres/tables';

/** The orchestrator's tables on PostgreSQL: those of ../sqlite/schema.ts, row for row. */

/** The saga's state as jsonb, read in today's shape whatever release wrote it. */
const sagaState = customType<{ data: SagaState; driverData: string }>({
  dataType: () => 'jsonb',
  toDriver: (state) => JSON.stringify(state),
  // node-postgres hands jsonb over parsed.
  fromDriver: (value) => upcast((typeof value === 'string' ? JSON.parse(value) : value) as SagaState | LaneState),
});

/** One row per order. `version` makes every update optimistic, so two orchestrators can never both advance one saga. */
export const sagas = pgTable(
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
    /** The span that started the saga (W3C traceparent). */
    traceparent: text('traceparent'),
    /** The tracestate of the message that started the saga, as on SQLite. */
    tracestate: text('tracestate'),
    // What the saga is about (`facetsOf`), for the search, as on SQLite.
    customerId: text('customer_id'),
    totalCents: bigint('total_cents', { mode: 'number' }),
    reason: text('reason').$type<CancelReason>(),
    endedAt: text('ended_at'),
    awaiting: text('awaiting'),
  },
  (table) => [
    // The list of every saga, newest first.
    index('sagas_started').on(table.startedAt, table.orderId),
    index('sagas_next_deadline').on(table.nextDeadlineAt),
    // Each filter's list, newest first after its key, as on SQLite.
    index('sagas_status').on(table.status, table.startedAt, table.orderId),
    index('sagas_customer').on(table.customerId, table.startedAt, table.orderId),
    index('sagas_reason').on(table.reason, table.startedAt, table.orderId),
    index('sagas_total').on(table.totalCents, table.startedAt, table.orderId),
    index('sagas_ended').on(table.endedAt, table.startedAt, table.orderId),
  ],
);

/** The products of each saga's order, written as the saga starts: the search by product. */
export const sagaProducts = pgTable(
  'saga_products',
  {
    productId: text('product_id').notNull(),
    startedAt: text('started_at').notNull(),
    orderId: text('order_id').notNull(),
  },
  (table) => [primaryKey({ columns: [table.productId, table.startedAt, table.orderId] })],
);

/** Every message into and out of a saga, applied or not: what the event-trace CLI shows. */
export const sagaTrace = pgTable(
  'saga_trace',
  {
    // bigint: numbers every message of every saga; mode number keeps SQLite's row type.
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
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

/** Messages taken before their saga started, kept until it starts and applied in order then. */
export const earlyInputs = pgTable(
  'early_inputs',
  {
    messageId: text('message_id').primaryKey(),
    orderId: text('order_id').notNull(),
    message: jsonb('message').$type<Inbound<'orchestrator'>>().notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [index('early_inputs_order').on(table.orderId, table.receivedAt)],
);
