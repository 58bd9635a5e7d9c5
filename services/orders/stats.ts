import { sql } from 'drizzle-orm';
import { CancelReason, OrderStatus } from '../../contracts';
import type { OrderStats } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import { orders } from './sqlite/schema';

interface Group {
  status: OrderStatus;
  reason: CancelReason | null;
  count: number;
  totalCents: number;
}

/** One grouped scan of the orders: how many per status and reason, and what they add up to. */
export const orderGroups = (db: SqliteDb): Group[] =>
  db
    .select({
      status: orders.status,
      reason: orders.reason,
      count: sql<number>`count(*)`,
      totalCents: sql<number>`coalesce(sum(${orders.totalCents}), 0)`,
    })
    .from(orders)
    .groupBy(orders.status, orders.reason)
    .all();

/** The figures of GET /orders/stats; every status and reason is present, zero when none. */
export function summarize(groups: Group[]): OrderStats {
  const counts = Object.fromEntries(OrderStatus.options.map((status) => [status, 0])) as OrderStats['counts'];
  const cancellationsByReason = Object.fromEntries(
    CancelReason.options.map((reason) => [reason, 0]),
  ) as OrderStats['cancellationsByReason'];
  let revenueCents = 0;
  for (const { status, reason, count, totalCents } of groups) {
    counts[status] += count;
    if (status === 'CONFIRMED') revenueCents += totalCents;
    if (status === 'CANCELLED' && reason) cancellationsByReason[reason] += count;
  }
  const confirmed = counts.CONFIRMED;
  return {
    counts,
    revenueCents,
    averageOrderValueCents: confirmed > 0 ? Math.round(revenueCents / confirmed) : null,
    cancellationsByReason,
  };
}
