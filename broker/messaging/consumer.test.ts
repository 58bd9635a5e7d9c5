import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { checkDelivery } from './consumer';

const orderId = randomUUID();
const settled = envelope(
  { type: 'PaymentSettled', data: { orderId, paymentId: randomUUID(), invoiceId: randomUUID(), amountCents: 100 } },
  { producer: 'payments', correlationId: orderId, causationId: null },
);
const deliver = (routingKey: string, message: object) =>
  checkDelivery('orchestrator', { routingKey, payload: JSON.stringify(message) });

describe('checking a delivery against what the broker vouches for', () => {
  it('accepts a message of its routing key’s type from that type’s publisher', () => {
    expect(deliver('PaymentSettled', settled)).toEqual({ message: settled });
  });

  it('refuses a payload of another type than its routing key', () => {
    expect(deliver('OrderRequested', settled)).toEqual({
      reason: 'a PaymentSettled sent with routing key OrderRequested',
    });
  });

  it('refuses a producer that does not publish the type', () => {
    expect(deliver('PaymentSettled', { ...settled, producer: 'orders' })).toEqual({
      reason: 'PaymentSettled comes from payments, not orders',
    });
  });

  it('refuses a type the queue does not subscribe to, and what is not a message', () => {
    expect(checkDelivery('users', { routingKey: 'PaymentSettled', payload: JSON.stringify(settled) })).toEqual({
      reason: 'users does not handle PaymentSettled',
    });
    expect(deliver('PaymentSettled', { ...settled, data: {} })).toMatchObject({
      reason: expect.stringMatching(/^schema: /),
    });
    expect(checkDelivery('orchestrator', { routingKey: 'PaymentSettled', payload: '{' })).toEqual({
      reason: 'payload is not JSON',
    });
  });
});
