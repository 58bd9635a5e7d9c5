import type { OutgoingFrom } from '../../broker/topology';
import type { MessageData, OrderLine, PricedLine } from '../../contracts';
import type { ProductRow, ReservationRow } from './schema';

/**
 * The products service's decisions, pure: given the rows they concern, what to change and
 * what to answer. The handler reads and writes the rows inside one immediate transaction,
 * which is what makes "all lines or none" and "never oversold" hold under concurrency.
 */

export interface ReserveDecision {
  /** The lines to hold: all of the order's, or none. */
  reserve: PricedLine[];
  reply: OutgoingFrom<'products'>;
}

/** All lines of an order or none. Lines for the same product are summed first. */
export function decideReservation(
  { orderId, items }: MessageData<'ReserveStock'>,
  productOf: (id: string) => ProductRow | undefined,
): ReserveDecision {
  const wanted = sumByProduct(items);
  for (const { productId, quantity } of wanted) {
    const product = productOf(productId);
    if (!product || product.archivedAt) {
      return { reserve: [], reply: { type: 'StockRejected', data: { orderId, reason: 'UNKNOWN_PRODUCT', productId } } };
    }
    if (product.stock < quantity) {
      return { reserve: [], reply: { type: 'StockRejected', data: { orderId, reason: 'OUT_OF_STOCK', productId } } };
    }
  }
  const lines = wanted.map((line) => ({ ...line, unitPriceCents: productOf(line.productId)!.priceCents }));
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  return { reserve: lines, reply: { type: 'StockReserved', data: { orderId, lines, totalCents } } };
}

/** A reservation's answer when ReserveStock arrives again under a new message id. */
export function repeatReservation(orderId: string, held: ReservationRow[]): OutgoingFrom<'products'> {
  const lines = held.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents }));
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  return { type: 'StockReserved', data: { orderId, lines, totalCents } };
}

function sumByProduct(items: OrderLine[]): OrderLine[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of items) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals].map(([productId, quantity]) => ({ productId, quantity }));
}
