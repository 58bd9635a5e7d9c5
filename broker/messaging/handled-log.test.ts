import { describe, expect, it } from 'vitest';
import { envelope, type MessageType, type Outgoing } from '../../contracts';
import { publisherOf } from '../../contracts/topology';
import { handledLogFields, inWords } from './handled-log';

const orderId = '01a24d40-233a-74c3-b341-dab2c6163833';
const productId = '01a24d40-233a-74c3-b341-dab2c6163834';
const userId = '01a24d40-233a-74c3-b341-dab2c6163835';

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const message = <T extends MessageType>(outgoing: Outgoing<T>, correlationId = orderId) =>
  envelope(outgoing, { producer: publisherOf(outgoing.type), correlationId, causationId: null, traceparent });

describe('handledLogFields', () => {
  const reserve = message({ type: 'ReserveStock', data: { orderId, items: [{ productId, quantity: 1 }] } });

  it('names the order, the step of a command, its answer in words, and the trace', () => {
    expect(handledLogFields(reserve, [{ type: 'StockReserved', data: { orderId, lines: [], totalCents: 0 } }])).toEqual(
      {
        orderId,
        step: 'reserveStock',
        type: 'ReserveStock',
        outcome: 'stock reserved',
        traceId: '0af7651916cd43dd8448eb211c80319c',
      },
    );
  });

  it('gives a failed answer the reason the step table says it cancels the order for', () => {
    const fields = handledLogFields(reserve, [
      { type: 'StockRejected', data: { orderId, reason: 'OUT_OF_STOCK', productId } },
    ]);
    expect(fields).toMatchObject({ outcome: 'stock rejected', reason: 'OUT_OF_STOCK', detail: `product ${productId}` });
  });

  it('says a command answered by silence was refused, an event applied, a success has no reason', () => {
    expect(handledLogFields(reserve, [])).toMatchObject({ outcome: 'refused' });
    expect(handledLogFields(reserve, [])).not.toHaveProperty('reason');
    const confirmed = message({
      type: 'OrderConfirmed',
      data: { orderId, lines: [], totalCents: 0, invoiceId: orderId },
    });
    expect(handledLogFields(confirmed, [])).toMatchObject({ orderId, step: 'saga', outcome: 'applied' });
  });

  it('names the account an event about an account is about, and no order or step', () => {
    const fields = handledLogFields(message({ type: 'UserDeactivated', data: { userId, version: 2 } }, userId), []);
    expect(fields).toEqual({
      correlationId: userId,
      type: 'UserDeactivated',
      outcome: 'applied',
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });
});

describe('inWords', () => {
  it('spells a message type as words', () => {
    expect(inWords('PaymentDeclined')).toBe('payment declined');
    expect(inWords('OrderCancellationRequested')).toBe('order cancellation requested');
  });
});
