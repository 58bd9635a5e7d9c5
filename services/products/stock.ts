import type { OutgoingFrom } from '../../contracts/topology';
import type { MessageData, PricedLine } from '../../contracts';
import type { ProductRow, ReservationRow } from './store';

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

/** All lines of an order or none (the contract puts each product on one line). */
export function decideReservation(
  { orderId, items }: MessageData<'ReserveStock'>,
  productOf: (id: string) => ProductRow | undefined,
): ReserveDecision {
  for (const { productId, quantity } of items) {
    const product = productOf(productId);
    if (!product || product.archivedAt) {
      return { reserve: [], reply: { type: 'StockRejected', data: { orderId, reason: 'UNKNOWN_PRODUCT', productId } } };
    }
    if (product.stock < quantity) {
      return { reserve: [], reply: { type: 'StockRejected', data: { orderId, reason: 'OUT_OF_STOCK', productId } } };
    }
  }
  const lines = items.map((line) => {
    const { name, priceCents } = productOf(line.productId)!;
    return { ...line, name, unitPriceCents: priceCents };
  });
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  return { reserve: lines, reply: { type: 'StockReserved', data: { orderId, lines, totalCents } } };
}

/** A reservation's answer when ReserveStock arrives again under a new message id. */
export function repeatReservation(orderId: string, held: ReservationRow[]): OutgoingFrom<'products'> {
  const lines = held.map(({ productId, quantity, name, unitPriceCents }) => ({
    productId,
    quantity,
    name,
    unitPriceCents,
  }));
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  return { type: 'StockReserved', data: { orderId, lines, totalCents } };
}
