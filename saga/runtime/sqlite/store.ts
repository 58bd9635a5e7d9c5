import { and, asc, count, desc, eq, getTableColumns, inArray, lt, lte, min, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn, SQLiteSelect } from 'drizzle-orm/sqlite-core';
import { sqliteMessagingStore } from '../../../broker/messaging/sqlite/store';
import { changes, type SqliteStoreParts } from '../../../db/sqlite';
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
import type { SagaStore } from '../store';
import * as schema from './schema';
import { earlyInputs, sagaProducts, sagas, sagaTrace } from './schema';

/**
 * Whether the saga of `orderId` ended before the cutoff: looked up per row, so that pruning walks
 * the oldest rows by their time index and stops at its limit, instead of every ended saga.
 */
const sagaEnded = (orderId: SQLiteColumn) =>
  sql`exists (select 1 from ${sagas} where ${sagas.orderId} = ${orderId} and ${inArray(sagas.status, endedStatuses)} and ${lt(sagas.updatedAt, param('cutoff'))})`;

/** The orchestrator's store on its SQLite connection; every message runs the saga's hot queries. */
export function sqliteSagaStore(db: BetterSQLite3Database<typeof schema>): SagaStore {
  const findSaga = db
    .select()
    .from(sagas)
    .where(eq(sagas.orderId, param('orderId')))
    .prepare();
  const insertSaga = db
    .insert(sagas)
    .values({ ...rowParams(sagas), version: 1 })
    .prepare();
  const insertProduct = db.insert(sagaProducts).values(rowParams(sagaProducts)).prepare();
  const advanceSaga = db
    .update(sagas)
    .set({
      ...setParams('status', 'state', 'nextDeadlineAt', 'updatedAt', 'totalCents', 'reason', 'awaiting'),
      version: sql`${sagas.version} + 1`,
      // A saga ends once: a later save (a stale deadline dropped) keeps when.
      endedAt: sql`coalesce(${sagas.endedAt}, ${param('endedAt')})`,
    })
    .where(and(eq(sagas.orderId, param('orderId')), eq(sagas.version, param('expectedVersion'))))
    .prepare();
  const countUnfinished = db
    .select({ n: sql<number>`count(*)` })
    .from(sagas)
    .where(inArray(sagas.status, [...unfinishedStatuses]))
    .prepare();
  const oldestUnfinishedStart = db
    .select({ at: min(sagas.startedAt) })
    .from(sagas)
    .where(filterConditions(tables, { status: 'PENDING' }, hints))
    .prepare();
  const insertTrace = db.insert(sagaTrace).values(rowParams(sagaTrace, 'seq')).prepare();
  // Asked by every OrderRequested; it nearly always finds nothing.
  const earlyOf = db
    .select()
    .from(earlyInputs)
    .where(eq(earlyInputs.orderId, param('orderId')))
    .orderBy(asc(earlyInputs.receivedAt))
    .prepare();
  // Trace rows recorded before the cutoff, of sagas ended before it, oldest first.
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
    .prepare();

  return {
    ...sqliteMessagingStore(db),
    async findSaga(orderId) {
      return findSaga.get({ orderId });
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
        insertSaga.run({
          ...row,
          startedAt: at,
          traceparent: traceparent ?? null,
          tracestate: tracestate ?? null,
        });
        for (const productId of productsOf(state))
          insertProduct.run({ productId, startedAt: at, orderId: state.orderId });
        return;
      }
      const moved = advanceSaga.run({ ...row, state: JSON.stringify(state), expectedVersion });
      if (changes(moved) !== 1) throw new Error(`saga ${state.orderId} changed concurrently; retrying`);
    },
    async keepEarly(message, now) {
      db.insert(earlyInputs)
        .values({ messageId: message.messageId, orderId: message.data.orderId, message, receivedAt: now.toISOString() })
        .onConflictDoNothing()
        .run();
    },
    async takeEarly(orderId) {
      const kept = earlyOf.all({ orderId });
      if (kept.length > 0) db.delete(earlyInputs).where(eq(earlyInputs.orderId, orderId)).run();
      return kept.map((row) => row.message);
    },
    async dueSagas(now, limit) {
      return db
        .select()
        .from(sagas)
        .where(lte(sagas.nextDeadlineAt, now.toISOString()))
        .orderBy(asc(sagas.nextDeadlineAt))
        .limit(limit)
        .all();
    },
    async earliestDeadline() {
      return (
        db
          .select({ at: min(sagas.nextDeadlineAt) })
          .from(sagas)
          .get()?.at ?? undefined
      );
    },
    async countUnfinished() {
      return countUnfinished.get()!.n;
    },
    async oldestUnfinishedStart() {
      return oldestUnfinishedStart.get()?.at ?? undefined;
    },
    async unfinishedSagas() {
      return db.select().from(sagas).where(inArray(sagas.status, unfinishedStatuses)).all();
    },
    async insertTrace(rows) {
      for (const row of rows) insertTrace.run(row);
    },
    async traceOf(orderId) {
      return db.select().from(sagaTrace).where(eq(sagaTrace.orderId, orderId)).orderBy(asc(sagaTrace.seq)).all();
    },
    async forgetTracesEndedBefore(cutoff, limit) {
      return changes(forgetTrace.run({ cutoff: cutoff.toISOString(), limit }));
    },
    async listSagas(filter, limit, after) {
      const from = after ? findSaga.get({ orderId: after }) : undefined;
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
        .orderBy(desc(page.startedAt), desc(page.orderId))
        .all();
    },
    async countSagas(filter) {
      return withProducts(db.select({ n: count() }).from(sagas).$dynamic(), filter)
        .where(filterConditions(tables, filter, hints))
        .get()!.n;
    },
  };
}

const tables = { sagas, products: sagaProducts };
/** SQLite keeps no statistics of the rows: a search says which index it is read by. */
const hints: IndexHints = {
  unindexed: (column) => sql`+${column}`,
  selective: (range) => sql`unlikely(${range})`,
};

/** The sagas, joined to their order's products when the search is read by product. */
const withProducts = <Q extends SQLiteSelect>(query: Q, filter: SagaFilter) =>
  byProduct(filter) ? query.innerJoin(sagaProducts, eq(sagaProducts.orderId, sagas.orderId)) : query;

/** The SQLite store of the orchestrator: its schema, its migrations beside this file, and the store. */
export const sagaSqlite: SqliteStoreParts<typeof schema, SagaStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: sqliteSagaStore,
};
