import type { Inbound, OutgoingFrom } from '../../contracts/topology';
import { assertNever } from '../../lib/assert-never';
import { decideReservation, repeatReservation } from './stock';
import type { ProductsStore } from './store';

/** Applies one stock command inside the caller's transaction and returns the reply. */
export async function handleStockCommand(
  store: ProductsStore,
  message: Inbound<'products'>,
  now: Date,
): Promise<OutgoingFrom<'products'>[]> {
  const { orderId } = message.data;
  const held = await store.reservationsOf(orderId);
  const updatedAt = now.toISOString();

  switch (message.type) {
    case 'ReserveStock': {
      // The order was answered already: a resent command gets the same answer, even if stock
      // has come or gone since.
      if (held.length > 0) return held[0]!.status === 'released' ? [] : [repeatReservation(orderId, held)];
      // Released before it arrived (the saga gave up waiting): reserving now would hold stock
      // for an order that has ended, so the command is refused and answered by silence.
      if (await store.wasReleasedUnreserved(orderId)) return [];
      const rejected = await store.rejectionOf(orderId);
      if (rejected)
        return [{ type: 'StockRejected', data: { orderId, reason: rejected.reason, productId: rejected.productId } }];
      const wanted = await store.productsToReserve(message.data.items.map((line) => line.productId));
      const { reserve, reply } = decideReservation(message.data, (id) => wanted.find((product) => product.id === id));
      if (reply.type === 'StockRejected') await store.insertRejection({ ...reply.data, rejectedAt: updatedAt });
      if (reserve.length > 0) {
        await store.insertReservations(
          reserve.map((line) => ({ orderId, ...line, status: 'reserved' as const, updatedAt })),
        );
        for (const { productId, quantity } of reserve)
          await store.moveUnits(productId, { stock: -quantity, reserved: quantity }, now);
      }
      return [reply];
    }
    case 'ReleaseStock': {
      // Nothing held: the reservation never happened, which is as good as released. Remember it,
      // so that the ReserveStock still on its way is refused.
      if (held.length === 0) await store.recordReleasedUnreserved(orderId, now);
      for (const { productId, quantity, status } of held) {
        if (status === 'reserved') await store.moveUnits(productId, { stock: quantity, reserved: -quantity }, now);
        // A cancel can arrive after the commit: the sold units go back on the shelf.
        if (status === 'committed') await store.moveUnits(productId, { stock: quantity, sold: -quantity }, now);
      }
      await store.setReservationStatus(orderId, 'released', now);
      return [{ type: 'StockReleased', data: { orderId } }];
    }
    case 'CommitStock': {
      for (const { productId, quantity, status } of held) {
        if (status === 'reserved') await store.moveUnits(productId, { reserved: -quantity, sold: quantity }, now);
      }
      if (held.some((row) => row.status === 'reserved')) await store.setReservationStatus(orderId, 'committed', now);
      return [{ type: 'StockCommitted', data: { orderId } }];
    }
    default:
      return assertNever(message);
  }
}
