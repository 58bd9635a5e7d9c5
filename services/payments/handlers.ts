import { unsealCard, type CardKeys, type MessageData } from '../../contracts';
import type { Inbound, OutgoingFrom } from '../../contracts/topology';
import { assertNever } from '../../lib/assert-never';
import { charge } from './charge';
import type { PaymentRow, PaymentsStore } from './store';
import { newId } from '../../lib/ids';

/** Applies one payment command inside the caller's transaction and returns the reply. */
export async function handlePaymentCommand(
  store: PaymentsStore,
  message: Inbound<'payments'>,
  now: Date,
  cardKeys: CardKeys,
): Promise<OutgoingFrom<'payments'>[]> {
  const { orderId } = message.data;
  const existing = await store.paymentOf(orderId);

  switch (message.type) {
    case 'SettlePayment':
      // One charge per order, whatever the number of commands: a resent one gets the first answer.
      if (existing) return [answerFor(existing)];
      // Refunded before it arrived (the saga gave up waiting): charging now would take money for
      // an order that has ended, so the command is refused and answered by silence.
      if (await store.wasRefundedUncharged(orderId)) return [];
      return [answerFor(await settle(store, message.data, now, cardKeys))];
    case 'RefundPayment':
      if (existing?.status === 'settled') await store.markRefunded(existing, now);
      // Never charged: as good as refunded. Remember it, so the SettlePayment on its way is refused.
      if (!existing) await store.recordRefundedUncharged(orderId, now);
      return [
        {
          type: 'PaymentRefunded',
          data: {
            orderId,
            paymentId: existing && existing.status !== 'declined' ? existing.id : null,
            amountCents: existing && existing.status !== 'declined' ? existing.amountCents : 0,
          },
        },
      ];
    default:
      return assertNever(message);
  }
}

async function settle(
  store: PaymentsStore,
  command: MessageData<'SettlePayment'>,
  now: Date,
  cardKeys: CardKeys,
): Promise<PaymentRow> {
  const outcome = charge(unsealCard(command.card, cardKeys));
  const at = now.toISOString();
  const payment: PaymentRow = {
    id: newId(),
    orderId: command.orderId,
    userId: command.userId,
    amountCents: command.amountCents,
    cardLast4: command.card.last4,
    status: outcome.settled ? 'settled' : 'declined',
    declineReason: outcome.settled ? null : outcome.reason,
    invoiceId: outcome.settled ? newId() : null,
    createdAt: at,
    updatedAt: at,
  };
  await store.insertPayment(payment);
  if (payment.invoiceId) {
    await store.insertInvoice({
      id: payment.invoiceId,
      orderId: command.orderId,
      userId: command.userId,
      lines: command.lines,
      totalCents: command.amountCents,
      cardLast4: command.card.last4,
      issuedAt: at,
      refundedAt: null,
    });
  }
  return payment;
}

function answerFor(payment: PaymentRow): OutgoingFrom<'payments'> {
  const { orderId, id: paymentId, amountCents } = payment;
  if (payment.declineReason) return { type: 'PaymentDeclined', data: { orderId, reason: payment.declineReason } };
  return { type: 'PaymentSettled', data: { orderId, paymentId, invoiceId: payment.invoiceId!, amountCents } };
}
