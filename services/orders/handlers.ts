import type { AccountEvent } from '../../contracts';
import type { Inbound, OutgoingFrom } from '../../contracts/topology';
import type { SqliteDb } from '../../db/sqlite';
import { assertNever } from '../../lib/assert-never';
import { priceItems } from './outcomes';
import { endOrder, findOrder, noteOnHistory } from './store';

/** Records the saga's outcome, and late compensations, on the order. Orders answers nothing. */
export function handleSagaOutcome(
  tx: SqliteDb,
  message: Exclude<Inbound<'orders'>, AccountEvent>,
  now: Date,
): OutgoingFrom<'orders'>[] {
  const order = findOrder(tx, message.data.orderId);
  if (!order) throw new Error(`order ${message.data.orderId} does not exist`);
  switch (message.type) {
    case 'OrderConfirmed': {
      const { totalCents, invoiceId } = message.data;
      const items = priceItems(order.items, message.data);
      endOrder(tx, order.id, { status: 'CONFIRMED', reason: null, detail: null, items, totalCents, invoiceId }, now);
      return [];
    }
    case 'OrderCancelled':
      endOrder(
        tx,
        order.id,
        { status: 'CANCELLED', reason: message.data.reason, detail: message.data.detail ?? null },
        now,
      );
      return [];
    case 'LateReplyCompensated': {
      const late = message.data.step === 'settlePayment' ? 'the payment settled' : 'the stock was reserved';
      const undone = message.data.compensation === 'RefundPayment' ? 'refunded' : 'released';
      noteOnHistory(tx, order, `${late} after its deadline, so it was ${undone}`, now);
      return [];
    }
    default:
      return assertNever(message);
  }
}
