import { CancelReason, OrderStatus } from '../../contracts';
import type { OrderStats } from '../../contracts/rest';
import type { OrderGroup } from './store';

/** The figures of GET /orders/stats; every status and reason is present, zero when none. */
export function summarize(groups: OrderGroup[]): OrderStats {
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
