import type { MessageData } from '../../contracts';
import type { OrderRow } from './store';

/** The order's lines with the names and prices the stock was reserved at. */
export function priceItems(items: OrderRow['items'], confirmed: MessageData<'OrderConfirmed'>): OrderRow['items'] {
  const lineOf = new Map(confirmed.lines.map((line) => [line.productId, line]));
  return items.map((item) => {
    const line = lineOf.get(item.productId);
    return line ? { ...item, name: line.name, unitPriceCents: line.unitPriceCents } : item;
  });
}
