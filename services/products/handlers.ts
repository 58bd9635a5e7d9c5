import type { Inbound, OutgoingFrom } from '../../contracts/topology';
import type { SqliteDb } from '../../db/sqlite';
import { assertNever } from '../../lib/assert-never';
import { decideReservation, repeatReservation } from './stock';
import {
  findProduct,
  insertRejection,
  insertReservations,
  moveUnits,
  recordReleasedUnreserved,
  rejectionOf,
  reservationsOf,
  setReservationStatus,
  wasReleasedUnreserved,
} from './store';

/** Applies one stock command inside the caller's transaction and returns the reply. */
export function handleStockCommand(tx: SqliteDb, message: Inbound<'products'>, now: Date): OutgoingFrom<'products'>[] {
  const { orderId } = message.data;
  const held = reservationsOf(tx, orderId);
  const updatedAt = now.toISOString();

  switch (message.type) {
    case 'ReserveStock': {
      // The order was answered already: a resent command gets the same answer, even if stock
      // has come or gone since.
      if (held.length > 0) return held[0]!.status === 'released' ? [] : [repeatReservation(orderId, held)];
      // Released before it arrived (the saga gave up waiting): reserving now would hold stock
      // for an order that has ended, so the command is refused and answered by silence.
      if (wasReleasedUnreserved(tx, orderId)) return [];
      const rejected = rejectionOf(tx, orderId);
      if (rejected)
        return [{ type: 'StockRejected', data: { orderId, reason: rejected.reason, productId: rejected.productId } }];
      const { reserve, reply } = decideReservation(message.data, (id) => findProduct(tx, id));
      if (reply.type === 'StockRejected') insertRejection(tx, { ...reply.data, rejectedAt: updatedAt });
      if (reserve.length > 0) {
        insertReservations(
          tx,
          reserve.map((line) => ({ orderId, ...line, status: 'reserved' as const, updatedAt })),
        );
        for (const { productId, quantity } of reserve)
          moveUnits(tx, productId, { stock: -quantity, reserved: quantity }, now);
      }
      return [reply];
    }
    case 'ReleaseStock': {
      // Nothing held: the reservation never happened, which is as good as released. Remember it,
      // so that the ReserveStock still on its way is refused.
      if (held.length === 0) recordReleasedUnreserved(tx, orderId, now);
      for (const { productId, quantity, status } of held) {
        if (status === 'reserved') moveUnits(tx, productId, { stock: quantity, reserved: -quantity }, now);
        // A cancel can arrive after the commit: the sold units go back on the shelf.
        if (status === 'committed') moveUnits(tx, productId, { stock: quantity, sold: -quantity }, now);
      }
      setReservationStatus(tx, orderId, 'released', now);
      return [{ type: 'StockReleased', data: { orderId } }];
    }
    case 'CommitStock': {
      for (const { productId, quantity, status } of held) {
        if (status === 'reserved') moveUnits(tx, productId, { reserved: -quantity, sold: quantity }, now);
      }
      if (held.some((row) => row.status === 'reserved')) setReservationStatus(tx, orderId, 'committed', now);
      return [{ type: 'StockCommitted', data: { orderId } }];
    }
    default:
      return assertNever(message);
  }
}
