import { connect, type Channel, type ChannelModel, type Options } from 'amqplib';
import type { ServiceName } from '../contracts';
import { queueNames, subscriptions } from './topology';

/** Headers the adapter puts on the messages it moves between its own queues. */
export const HEADER = {
  /** The message type, kept when a message travels through the default exchange (retry, replay). */
  routingKey: 'x-original-routing-key',
  /** The delivery's attempt number; absent means 1. On a dead letter, how many attempts it had. */
  attempt: 'x-attempt',
  retryReason: 'x-retry-reason',
  reason: 'x-dead-letter-reason',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/**
 * The names of one namespace's exchange and queues. Each service has its queue, its
 * dead-letter queue and retry queues (`<ns>.<service>.retry.<N>ms`), one per delay level.
 */
export function names(namespace: string) {
  return {
    exchange: `${namespace}.events`,
    queue: (service: ServiceName) => `${namespace}.${service}`,
    deadLetterQueue: (service: ServiceName) => `${namespace}.${service}.dlq`,
    retryQueue: (service: ServiceName, level: number) => `${namespace}.${service}.retry.${level}ms`,
  };
}
export type Names = ReturnType<typeof names>;

// Levels are powers of two from 16 ms to about 2.3 hours, beyond any delay the retry policy allows.
const MIN_LEVEL_EXPONENT = 4;
const MAX_LEVEL_EXPONENT = 23;
const retryLevels = Array.from(
  { length: MAX_LEVEL_EXPONENT - MIN_LEVEL_EXPONENT + 1 },
  (_, index) => 2 ** (MIN_LEVEL_EXPONENT + index),
);

/**
 * The retry queue level a delay waits in: the power of two at or above it. RabbitMQ expires
 * messages only at the head of a queue, so a queue mixing short and long delays would hold
 * the short ones back; within one level, delays differ by less than half, so a message waits
 * less than twice its delay (or the 16 ms of the lowest level).
 */
export function retryLevel(delayMs: number): number {
  return retryLevels.find((level) => level >= delayMs) ?? retryLevels[retryLevels.length - 1]!;
}

/**
 * A retry queue has no consumer: its messages expire after their delay (the queue's TTL caps
 * it at the level) and are dead-lettered through the default exchange straight to the
 * service's queue, never back through the topic exchange, which would fan them out to every
 * service bound to the type.
 */
export function retryQueueOptions(topology: Names, service: ServiceName, level: number): Options.AssertQueue {
  return { durable: true, messageTtl: level, deadLetterExchange: '', deadLetterRoutingKey: topology.queue(service) };
}

// Failures surface through promise rejections and the 'close' events; an 'error' event
// without a listener would instead crash the process.
export const ignore = () => {};

/** Declares the exchange, each service's queue, its bindings and its dead-letter queue. */
export async function declareTopology(model: ChannelModel, topology: Names): Promise<void> {
  await withChannel(model, async (channel) => {
    await channel.assertExchange(topology.exchange, 'topic', { durable: true });
    for (const service of queueNames) {
      await channel.assertQueue(topology.queue(service), { durable: true });
      await channel.assertQueue(topology.deadLetterQueue(service), { durable: true });
      for (const type of subscriptions[service])
        await channel.bindQueue(topology.queue(service), topology.exchange, type);
    }
  });
}

/** Runs `use` on a channel of its own, then closes it, which returns anything left unacked to its queue. */
export async function withChannel<T>(model: ChannelModel, use: (channel: Channel) => Promise<T>): Promise<T> {
  const channel = await model.createChannel();
  channel.on('error', ignore);
  try {
    return await use(channel);
  } finally {
    await channel.close().catch(ignore);
  }
}

/** Deletes the exchange and every queue of `namespace`, messages included (test cleanup). */
export async function deleteTopology(url: string, namespace: string): Promise<void> {
  const topology = names(namespace);
  const model = await connect(url);
  try {
    await withChannel(model, async (channel) => {
      // Deleting a queue that was never declared is a no-op, so every possible retry level can be named.
      const queues = queueNames.flatMap((service) => [
        topology.queue(service),
        topology.deadLetterQueue(service),
        ...retryLevels.map((level) => topology.retryQueue(service, level)),
      ]);
      await Promise.all(queues.map((queue) => channel.deleteQueue(queue)));
      await channel.deleteExchange(topology.exchange);
    });
  } finally {
    await model.close();
  }
}
