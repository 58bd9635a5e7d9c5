import { and, eq, gte, isNull, lt, lte, sql, type Column, type SQL, type Table } from 'drizzle-orm';
import type { CancelReason } from '../../contracts';
import type { SagaState, SagaStatus } from '../decider/decide';
import { facetsOf } from '../decider/facets';
import { unfinishedStatuses } from '../decider/state';

/**
 * The search of sagas (`GET /sagas`), on either database: the columns a save writes beside the
 * state, and the conditions a filter makes of them. Both stores' tables name them alike.
 */

/** Which sagas a search finds: every field given must hold. */
export interface SagaFilter {
  /** PENDING: running or compensating, i.e. not ended. */
  status?: SagaStatus | 'PENDING';
  /** Why it failed (`failure.reason`), compensating or cancelled. */
  reason?: CancelReason;
  /** The user who placed the order. */
  customer?: string;
  /** A product among the order's items. */
  product?: string;
  /** A step whose answer the saga awaits. */
  step?: string;
  // Times as toISOString() writes them (the stored ones), each range [from, to).
  createdFrom?: string;
  createdTo?: string;
  endedFrom?: string;
  endedTo?: string;
  /** The order's total in cents, inclusive; a saga not yet priced has none, and matches neither. */
  totalMin?: number;
  totalMax?: number;
}

/** The columns of `sagas` a save writes from the state, beside it: `now` is when the saga is saved. */
export function searchColumns(state: SagaState, now: string) {
  const { customerId, totalCents, reason, awaiting, ended } = facetsOf(state);
  return {
    customerId,
    totalCents,
    reason,
    // A step is looked for between commas, so no step name is found inside another.
    awaiting: awaiting.length > 0 ? `,${awaiting.join(',')},` : null,
    endedAt: ended ? now : null,
  };
}

interface SearchTables {
  sagas: {
    orderId: Column;
    status: Column;
    startedAt: Column;
    customerId: Column;
    totalCents: Column;
    reason: Column;
    endedAt: Column;
    awaiting: Column;
  };
  products: Table & { productId: Column; startedAt: Column; orderId: Column };
}

/**
 * The index a search is read by, chosen by what the filter holds, the one of fewest rows by
 * nature first: the sagas not ended (a backlog), a customer's, a product's (in saga_products),
 * a reason's, a window of ends, a range of totals, a status that ended (a tenth of all, or
 * most); else the list of every saga, which a window of starts bounds. Each has the listing's
 * order after its key, so a first page is the first rows of one key range; but a range of ends
 * or totals is read whole and its ids put in order, which costs what it holds, and nothing when
 * it holds nothing (the listing's order would read every saga to find none).
 */
export type Lead = 'unfinished' | 'customer' | 'product' | 'reason' | 'ended' | 'total' | 'status' | 'started';

export function leadOf(filter: SagaFilter): Lead {
  const { status, step, customer, product, reason, endedFrom, endedTo, totalMin, totalMax } = filter;
  if (step !== undefined || status === 'PENDING' || (status && unfinishedStatuses.includes(status)))
    return 'unfinished';
  if (customer !== undefined) return 'customer';
  if (product !== undefined) return 'product';
  if (reason !== undefined) return 'reason';
  if (endedFrom !== undefined || endedTo !== undefined) return 'ended';
  if (totalMin !== undefined || totalMax !== undefined) return 'total';
  if (status !== undefined) return 'status';
  return 'started';
}

/**
 * How a database is told which index to read a search by: SQLite keeps no statistics of the
 * rows, so it takes whichever index a term fits; PostgreSQL plans by its own.
 */
export interface IndexHints {
  /** A term no index may serve (SQLite: unary +). */
  unindexed: (column: Column) => SQL;
  /** A range to read by its index, rather than the listing's order filtered (SQLite: unlikely()). */
  selective: (range: SQL) => SQL;
}

/**
 * What `filter` asks of a saga. The lead's terms are left to its index, every other one kept off
 * the indexes, so no large index is read where a small one would do. A window of starts stays
 * on the lead's index, after its key. With a product not the lead, its row of saga_products is
 * looked up by the whole key.
 */
export function filterConditions(
  { sagas, products }: SearchTables,
  filter: SagaFilter,
  { unindexed, selective }: IndexHints,
): SQL | undefined {
  const { status, reason, customer, product, step, createdFrom, createdTo, endedFrom, endedTo, totalMin, totalMax } =
    filter;
  const lead = leadOf(filter);
  const indexedIf = (leads: Lead[], column: Column) => (leads.includes(lead) ? sql`${column}` : unindexed(column));
  const rangeIf = (leading: Lead, range: SQL) => (lead === leading ? selective(range) : range);
  const endedAt = indexedIf(['unfinished', 'ended'], sagas.endedAt);
  const totalCents = indexedIf(['total'], sagas.totalCents);
  const given = <T>(value: T | undefined, condition: (value: T) => SQL | undefined) =>
    value === undefined ? undefined : condition(value);
  return and(
    given(status, (value) =>
      value === 'PENDING' ? isNull(endedAt) : eq(indexedIf(['unfinished', 'status'], sagas.status), value),
    ),
    given(step, (value) => and(isNull(endedAt), awaits(sagas.awaiting, value))),
    given(customer, (value) => eq(indexedIf(['customer'], sagas.customerId), value)),
    given(product, (value) =>
      lead === 'product'
        ? eq(products.productId, value)
        : sql`exists (select 1 from ${products} where ${and(
            eq(products.productId, value),
            eq(products.startedAt, sagas.startedAt),
            eq(products.orderId, sagas.orderId),
          )})`,
    ),
    given(reason, (value) => eq(indexedIf(['reason'], sagas.reason), value)),
    given(createdFrom, (value) => gte(sagas.startedAt, value)),
    given(createdTo, (value) => lt(sagas.startedAt, value)),
    given(endedFrom, (value) => rangeIf('ended', gte(endedAt, value))),
    // A saga ends after it starts: bounded by its start, the list of sagas ended before a time is
    // read in order from there (and where none ended before it, few started before it).
    given(endedTo, (value) => and(lt(endedAt, value), lt(sagas.startedAt, value))),
    given(totalMin, (value) => rangeIf('total', gte(totalCents, value))),
    given(totalMax, (value) => rangeIf('total', lte(totalCents, value))),
  );
}

/** `awaiting` names `step`: LIKE's wildcards in the name stand for themselves. */
const awaits = (awaiting: Column, step: string) =>
  sql`${awaiting} like ${`%,${step.replace(/[\\%_]/g, '\\$&')},%`} escape '\\'`;

/** Whether the search is read by saga_products: the store joins it to the sagas. */
export const byProduct = (filter: SagaFilter) => leadOf(filter) === 'product';

/**
 * The pair a listing is ordered and paged by: the saga's start and order id, or the same pair in
 * saga_products when it is read by product, so that the product's key range is read in order.
 */
export const listingKey = ({ sagas, products }: SearchTables, filter: SagaFilter) =>
  byProduct(filter) ? { time: products.startedAt, id: products.orderId } : { time: sagas.startedAt, id: sagas.orderId };

/**
 * Rows listed after `from` in the order of `listingKey`, compared as one row value: both
 * databases read it as a range of the index the listing is in, however deep the page (an OR of
 * the two columns, as db/statements.ts's olderThan writes it, is not one to SQLite when its
 * values are bound, and it reads every newer row).
 */
export const listedAfter = (key: { time: Column; id: Column }, from: { time: string; id: string }) =>
  sql`(${key.time}, ${key.id}) < (${from.time}, ${from.id})`;
