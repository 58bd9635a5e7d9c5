import { lateReplyNote } from '../../contracts/steps';
import type { AccountEvent } from '../../contracts';
import type { Inbound, OutgoingFrom } from '../../contracts/topology';
import { assertNever } from '../../lib/assert-never';
import { priceItems } from './outcomes';
import type { OrdersStore } from './store';

/** Records the saga's outcome, and late compensations, on the order. Orders answers nothing. */
export async function handleSagaOutcome(
  store: OrdersStore,
  message: Exclude<Inbound<'orders'>, AccountEvent>,
  now: Date,
): Promise<OutgoingFrom<'orders'>[]> {
  const order = await store.findOrder(message.data.orderId);
  if (!order) throw new Error(`order ${message.data.orderId} does not exist`);
  switch (message.type) {
    case 'OrderConfirmed': {
      const { totalCents, invoiceId } = message.data;
      const items = priceItems(order.items, message.data);
      await store.endOrder(
        order.id,
        { status: 'CONFIRMED', reason: null, detail: null, items, totalCents, invoiceId },
        now,
      );
      return [];
    }
    case 'OrderCancelled':
      await store.endOrder(
        order.id,
        { status: 'CANCELLED', reason: message.data.reason, detail: message.data.detail ?? null },
        now,
      );
      return [];
    case 'LateReplyCompensated':
      await store.noteOnHistory(order, lateReplyNote(message.data.step, message.data.compensation), now);
      return [];
    default:
      return assertNever(message);
  }
}
