import { and, asc, count, desc, eq, getTableColumns, inArray, lt, lte, min, sql } from 'drizzle-orm';
import type { PgColumn, PgSelect } from 'drizzle-orm/pg-core';
import { postgresMessagingStore } from '../../../broker/messaging/postgres/store';
import { type PostgresDb, type PostgresStoreParts } from '../../../db/postgres';
import { param, rowParams, setParams } from '../../../db/statements';
import { productsOf } from '../../decider/facets';
import { endedStatuses, unfinishedStatuses } from '../../decider/state';
import {
  byProduct,
  filterConditions,
  listingKey,
  listedAfter,
  searchColumns,
  type IndexHints,
  type SagaFilter,
} from '../search';
import type { SagaStore, TraceRow } from '../store';
import * as schema from './schema';
import { earlyInputs, sagaProducts, sagas, sagaTrace } from './schema';

/** Whether the saga of `orderId` ended before the cutoff: looked up per row, as on SQLite. */
const sagaEnded = (orderId: PgColumn) =>
  sql`exists (select 1 from ${sagas} where ${sagas.orderId} = ${orderId} and ${inArray(sagas.status, endedStatuses)} and ${lt(sagas.updatedAt, param('cutoff'))})`;

/** The trace's columns, each with the field of a row it holds. */
/** Each field of a trace row and its column: a Record, so a column added to the table must be named here. */
const traceColumnOf: Record<keyof Omit<TraceRow, 'seq'>, string> = {
  orderId: 'order_id',
  messageId: 'message_id',
  causationId: 'causation_id',
  type: 'type',
  producer: 'producer',
  instance: 'instance',
  consumer: 'consumer',
  direction: 'direction',
  outcome: 'outcome',
  note: 'note',
  data: 'data',
  change: 'change',
  occurredAt: 'occurred_at',
  recordedAt: 'recorded_at',
};
const traceColumns = Object.entries(traceColumnOf).map(([field, column]) => [column, field]) as [
  string,
  keyof Omit<TraceRow, 'seq'>,
][];
const INSERT_TRACE = `INSERT INTO saga_trace (${traceColumns.map(([column]) => column).join(', ')})
  SELECT * FROM unnest(${traceColumns.map((_, i) => `$${i + 1}::text[]`).join(', ')})`;
// An order's products in one statement, one row each.
const INSERT_PRODUCTS = `INSERT INTO saga_products (product_id, started_at, order_id)
  SELECT unnest($1::text[]), $2::text, $3::text`;

const tables = { sagas, products: sagaProducts };
/** PostgreSQL plans by its statistics of the rows: any index may serve any term. */
const hints: IndexHints = { unindexed: (column) => sql`${column}`, selective: (range) => range };

/** The sagas, joined to their order's products when the search is read by product. */
const withProducts = <Q extends PgSelect>(query: Q, filter: SagaFilter) =>
  byProduct(filter) ? query.innerJoin(sagaProducts, eq(sagaProducts.orderId, sagas.orderId)) : query;

/** The orchestrator's store on one PostgreSQL connection. */
export function postgresSagaStore(db: PostgresDb<typeof schema>): SagaStore {
  const findSaga = db
    .select()
    .from(sagas)
    .where(eq(sagas.orderId, param('orderId')))
    .prepare('sagas_find');
  const insertSaga = db
    .insert(sagas)
    .values({ ...rowParams(sagas), version: 1 })
    .prepare('sagas_insert');
  const advanceSaga = db
    .update(sagas)
    .set({
      ...setParams('status', 'state', 'nextDeadlineAt', 'updatedAt', 'totalCents', 'reason', 'awaiting'),
      version: sql`${sagas.version} + 1`,
      // A saga ends once: a later save (a stale deadline dropped) keeps when.
      endedAt: sql`coalesce(${sagas.endedAt}, ${param('endedAt')})`,
    })
    .where(and(eq(sagas.orderId, param('orderId')), eq(sagas.version, param('expectedVersion'))))
    .returning({ version: sagas.version })
    .prepare('sagas_advance');
  const countUnfinished = db
    .select({ n: count() })
    .from(sagas)
    .where(inArray(sagas.status, [...unfinishedStatuses]))
    .prepare('sagas_count_unfinished');
  const oldestUnfinishedStart = db
    .select({ at: min(sagas.startedAt) })
    .from(sagas)
    .where(filterConditions(tables, { status: 'PENDING' }, hints))
    .prepare('sagas_oldest_unfinished_start');
  const earlyOf = db
    .select()
    .from(earlyInputs)
    .where(eq(earlyInputs.orderId, param('orderId')))
    .orderBy(asc(earlyInputs.receivedAt))
    .prepare('early_inputs_of');
  const forgetTrace = db
    .delete(sagaTrace)
    .where(
      inArray(
        sagaTrace.seq,
        db
          .select({ seq: sagaTrace.seq })
          .from(sagaTrace)
          .where(and(lt(sagaTrace.recordedAt, param('cutoff')), sagaEnded(sagaTrace.orderId)))
          .orderBy(asc(sagaTrace.recordedAt))
          .limit(param('limit')),
      ),
    )
    .returning({ seq: sagaTrace.seq })
    .prepare('saga_trace_forget');

  return {
    ...postgresMessagingStore(db),
    async findSaga(orderId) {
      return (await findSaga.execute({ orderId }))[0];
    },
    async saveSaga(state, nextDeadlineAt, expectedVersion, now, { traceparent, tracestate } = {}) {
      const at = now.toISOString();
      const row = {
        orderId: state.orderId,
        status: state.status,
        state,
        nextDeadlineAt,
        updatedAt: at,
        ...searchColumns(state, at),
      };
      if (expectedVersion === undefined) {
        await insertSaga.execute({
          ...row,
          startedAt: at,
          traceparent: traceparent ?? null,
          tracestate: tracestate ?? null,
        });
        await db.$client.query({
          name: 'saga_products_insert',
          text: INSERT_PRODUCTS,
          values: [productsOf(state), at, state.orderId],
        });
        return;
      }
      const moved = await advanceSaga.execute({ ...row, state: JSON.stringify(state), expectedVersion });
      if (moved.length !== 1) throw new Error(`saga ${state.orderId} changed concurrently; retrying`);
    },
    async keepEarly(message, now) {
      await db
        .insert(earlyInputs)
        .values({ messageId: message.messageId, orderId: message.data.orderId, message, receivedAt: now.toISOString() })
        .onConflictDoNothing();
    },
    async takeEarly(orderId) {
      const kept = await earlyOf.execute({ orderId });
      if (kept.length > 0) await db.delete(earlyInputs).where(eq(earlyInputs.orderId, orderId));
      return kept.map((row) => row.message);
    },
    async dueSagas(now, limit) {
      return db
        .select()
        .from(sagas)
        .where(lte(sagas.nextDeadlineAt, now.toISOString()))
        .orderBy(asc(sagas.nextDeadlineAt))
        .limit(limit);
    },
    async earliestDeadline() {
      const [row] = await db.select({ at: min(sagas.nextDeadlineAt) }).from(sagas);
      return row?.at ?? undefined;
    },
    async countUnfinished() {
      return (await countUnfinished.execute())[0]!.n;
    },
    async oldestUnfinishedStart() {
      return (await oldestUnfinishedStart.execute())[0]?.at ?? undefined;
    },
    async unfinishedSagas() {
      return db.select().from(sagas).where(inArray(sagas.status, unfinishedStatuses));
    },
    async insertTrace(rows) {
      // Every row in one statement, each column an array.
      const columns = traceColumns.map(([, field]) => rows.map((row) => row[field]));
      await db.$client.query({ name: 'saga_trace_insert', text: INSERT_TRACE, values: columns });
    },
    async traceOf(orderId) {
      return db.select().from(sagaTrace).where(eq(sagaTrace.orderId, orderId)).orderBy(asc(sagaTrace.seq));
    },
    async forgetTracesEndedBefore(cutoff, limit) {
      return (await forgetTrace.execute({ cutoff: cutoff.toISOString(), limit })).length;
    },
    async listSagas(filter, limit, after) {
      const from = after ? (await findSaga.execute({ orderId: after }))[0] : undefined;
      const key = listingKey(tables, filter);
      // The page's keys first, then its sagas: where the search's index is not in the listing's
      // order, what is put in order is keys, not whole states; and the page comes in its order.
      const page = withProducts(
        db
          .select({
            orderId: sql<string>`${key.id}`.as('page_order_id'),
            startedAt: sql<string>`${key.time}`.as('page_started_at'),
          })
          .from(sagas)
          .$dynamic(),
        filter,
      )
        .where(
          and(
            filterConditions(tables, filter, hints),
            from ? listedAfter(key, { time: from.startedAt, id: from.orderId }) : undefined,
          ),
        )
        .orderBy(desc(key.time), desc(key.id))
        .limit(limit)
        .as('page');
      return db
        .select(getTableColumns(sagas))
        .from(page)
        .innerJoin(sagas, eq(sagas.orderId, page.orderId))
        .orderBy(desc(page.startedAt), desc(page.orderId));
    },
    async countSagas(filter) {
      const [row] = await withProducts(db.select({ n: count() }).from(sagas).$dynamic(), filter).where(
        filterConditions(tables, filter, hints),
      );
      return row!.n;
    },
  };
}

/** The PostgreSQL store of the orchestrator: its schema, its migrations beside this file, and the store. */
export const sagaPostgres: PostgresStoreParts<typeof schema, SagaStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: postgresSagaStore,
};
