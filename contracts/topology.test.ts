import { describe, expect, expectTypeOf, it } from 'vitest';
import { messageTypes } from './messages';
import { publications, publisherOf, queueNames, subscriptions, type OutgoingFrom } from './topology';

describe('the topology', () => {
  it('gives every message type exactly one publisher', () => {
    for (const type of messageTypes) {
      const publishers = queueNames.filter((service) => (publications[service] as readonly string[]).includes(type));
      expect(publishers, type).toEqual([publisherOf(type)]);
    }
  });

  it('delivers every message type to at least one queue, never to its own publisher', () => {
    for (const type of messageTypes) {
      const consumers = queueNames.filter((service) => (subscriptions[service] as readonly string[]).includes(type));
      expect(consumers.length, type).toBeGreaterThan(0);
      expect(consumers, type).not.toContain(publisherOf(type));
    }
  });

  it('lets a service build only the messages it publishes (checked by tsc)', () => {
    expectTypeOf<OutgoingFrom<'orders'>['type']>().toEqualTypeOf<'OrderRequested' | 'OrderCancellationRequested'>();
    // @ts-expect-error: PaymentSettled is not the orders service's to send
    const forged: OutgoingFrom<'orders'> = { type: 'PaymentSettled', data: { orderId: 'x' } };
    expect(forged.type).toBe('PaymentSettled');
  });
});
