import type { MessageData } from '../../contracts';
import type { OrderRow } from './schema';

/** The order's lines with the prices the saga settled at. */
export function priceItems(items: OrderRow['items'], confirmed: MessageData<'OrderConfirmed'>): OrderRow['items'] {
  const priceOf = new Map(confirmed.lines.map((line) => [line.productId, line.unitPriceCents]));
  return items.map((item) => ({ ...item, unitPriceCents: priceOf.get(item.productId) }));
}
