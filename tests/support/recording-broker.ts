import type { Broker } from '../../broker/broker';
import { decorate } from './decorate';

export interface Published {
  routingKey: string;
  payload: string;
}

/** Keeps every payload published through it, in order: what crossed the broker. */
export const recording = (inner: Broker) => {
  const published: Published[] = [];
  return decorate(inner, {
    published,
    async publish(routingKey: string, payload: string) {
      published.push({ routingKey, payload });
      await inner.publish(routingKey, payload);
    },
  });
};
