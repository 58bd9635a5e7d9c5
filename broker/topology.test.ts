import { describe, expect, it } from 'vitest';
import { messageTypes } from '../contracts';
import { publications, publisherOf, queueNames, subscriptions } from './topology';

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
});
