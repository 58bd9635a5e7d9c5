import type { Broker } from '../../broker/broker';

/** Publishes every message twice: each consumer receives everything at least twice. */
export const duplicating = (inner: Broker): Broker => ({
  async publish(routingKey, payload) {
    await inner.publish(routingKey, payload);
    await inner.publish(routingKey, payload);
  },
  consume: (queue, handler) => inner.consume(queue, handler),
  deadLetters: (queue) => inner.deadLetters(queue),
  close: () => inner.close(),
});
