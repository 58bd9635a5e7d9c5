import { customType, integer, sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
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
  },
  (table) => [
    index('sagas_status').on(table.status, table.startedAt),
    // The list of every saga, newest first.
    index('sagas_started').on(table.startedAt, table.orderId),
    index('sagas_next_deadline').on(table.nextDeadlineAt),
  ],
);
export type SagaRow = typeof sagas.$inferSelect;

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
