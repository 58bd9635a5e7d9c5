import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { ServiceName } from '../../contracts';
import { queueNames, subscriptions } from '../../contracts/topology';
import { nodeUrls } from './urls';

/** Headers the adapter puts on the messages it moves between its own queues. */
export const HEADER = {
  /** The message type, kept when a message travels through a service's own exchange (retry, replay). */
  routingKey: 'x-original-routing-key',
  /** The delivery's attempt number; absent means 1. On a dead letter, how many attempts it had. */
  attempt: 'x-attempt',
  retryReason: 'x-retry-reason',
  reason: 'x-dead-letter-reason',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/**
 * The names of one namespace's exchanges and queues. Each service has its queue, its
 * dead-letter queue, retry queues (`<ns>.<service>.retry.<N>ms`), one per delay level, and a
 * direct exchange of its own that reaches each of them by name. Retries, dead letters and
 * replays go through that exchange rather than the default one, because the right to write
 * to the default exchange is the right to put a message into any queue.
 */
export function names(namespace: string) {
  return {
    exchange: `${namespace}.events`,
    serviceExchange: (service: ServiceName) => `${namespace}.${service}.direct`,
    queue: (service: ServiceName) => `${namespace}.${service}`,
    deadLetterQueue: (service: ServiceName) => `${namespace}.${service}.dlq`,
    retryQueue: (service: ServiceName, level: number) => `${namespace}.${service}.retry.${level}ms`,
  };
}
export type Names = ReturnType<typeof names>;

// Levels are powers of two from 16 ms to about 2.3 hours, beyond any delay the retry policy allows.
const MIN_LEVEL_EXPONENT = 4;
const MAX_LEVEL_EXPONENT = 23;
export const retryLevels = Array.from(
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

/** Exchanges, durable queues (with their `x-` arguments) and bindings, to declare or to export. */
export interface Topology {
  exchanges: { name: string; type: 'topic' | 'direct' }[];
  queues: { name: string; arguments: Record<string, string | number> }[];
  bindings: { exchange: string; queue: string; routingKey: string }[];
}

/**
 * What the namespace's queues are. Classic queues live on one node. Quorum queues are
 * replicated on a cluster (Raft): a message confirmed is on a majority of the nodes, and a
 * queue goes on while a majority is up. A quorum queue also counts deliveries, so a message
 * that keeps coming back unsettled (one that crashes its consumer) is dead-lettered after
 * `deliveryLimit` deliveries instead of looping forever.
 */
export type QueueKind = { type: 'classic' } | { type: 'quorum'; deliveryLimit: number };
export const classicQueues: QueueKind = { type: 'classic' };
/** Deliveries of one message before a quorum queue gives up on it (RabbitMQ 4's own default). */
export const DEFAULT_DELIVERY_LIMIT = 20;

/** The queue kind of BROKER_QUEUE_TYPE and BROKER_DELIVERY_LIMIT, already checked. */
export function queueKind(type: QueueKind['type'], deliveryLimit = DEFAULT_DELIVERY_LIMIT): QueueKind {
  return type === 'quorum' ? { type, deliveryLimit } : classicQueues;
}

/**
 * A quorum queue's arguments, dead-lettering (if it does) at least once: the message leaves
 * the queue only once its dead-letter queue has confirmed it, which RabbitMQ allows only
 * with `reject-publish` overflow (no length limit is set, so nothing is ever rejected).
 */
function quorum(deadLetterTo?: { exchange: string; routingKey: string }): Record<string, string> {
  if (!deadLetterTo) return { 'x-queue-type': 'quorum' };
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': deadLetterTo.exchange,
    'x-dead-letter-routing-key': deadLetterTo.routingKey,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * A service's exchange, queue and dead-letter queue. Its queue is bound to the events
 * exchange once per type it subscribes to, so the routing key is the message type. On quorum
 * queues, a message past the delivery limit goes to the dead-letter queue through the
 * service's exchange; the adapter itself dead-letters every other failure, with its reason.
 */
function serviceTopology(topology: Names, service: ServiceName, kind: QueueKind): Topology {
  const own = topology.serviceExchange(service);
  const queue = topology.queue(service);
  const deadLetterQueue = topology.deadLetterQueue(service);
  const queueArguments =
    kind.type === 'classic'
      ? {}
      : {
          ...quorum({ exchange: own, routingKey: deadLetterQueue }),
          'x-delivery-limit': kind.deliveryLimit,
        };
  return {
    exchanges: [{ name: own, type: 'direct' }],
    queues: [
      { name: queue, arguments: queueArguments },
      { name: deadLetterQueue, arguments: kind.type === 'classic' ? {} : quorum() },
    ],
    bindings: [
      ...[queue, deadLetterQueue].map((name) => ({ exchange: own, queue: name, routingKey: name })),
      ...subscriptions[service].map((type) => ({ exchange: topology.exchange, queue, routingKey: type })),
    ],
  };
}

/**
 * A retry queue has no consumer: its messages expire after their delay (the queue's TTL caps
 * it at the level) and are dead-lettered through the service's exchange straight to its
 * queue, never back through the events exchange, which would fan them out to every service
 * bound to the type.
 */
export function retryQueueTopology(topology: Names, service: ServiceName, level: number, kind: QueueKind): Topology {
  const name = topology.retryQueue(service, level);
  const own = topology.serviceExchange(service);
  const backToQueue = { exchange: own, routingKey: topology.queue(service) };
  return {
    exchanges: [],
    queues: [
      {
        name,
        arguments: {
          'x-message-ttl': level,
          ...(kind.type === 'classic'
            ? { 'x-dead-letter-exchange': backToQueue.exchange, 'x-dead-letter-routing-key': backToQueue.routingKey }
            : quorum(backToQueue)),
        },
      },
    ],
    bindings: [{ exchange: own, queue: name, routingKey: name }],
  };
}

/**
 * The whole namespace. Services declare their retry queues when they first need one; the
 * setup command, after which services may no longer declare anything, declares every level.
 */
export function namespaceTopology(
  topology: Names,
  { retryQueues, kind }: { retryQueues: boolean; kind: QueueKind },
): Topology {
  const parts = queueNames.flatMap((service) => [
    serviceTopology(topology, service, kind),
    ...(retryQueues ? retryLevels.map((level) => retryQueueTopology(topology, service, level, kind)) : []),
  ]);
  return {
    exchanges: [{ name: topology.exchange, type: 'topic' }, ...parts.flatMap((part) => part.exchanges)],
    queues: parts.flatMap((part) => part.queues),
    bindings: parts.flatMap((part) => part.bindings),
  };
}

/**
 * Declares `topology`. A user that may not (the least-privilege users of `npm run
 * broker:setup` may declare nothing) instead checks that its exchanges and queues exist.
 */
export async function declareOrCheck(model: ChannelModel, topology: Topology): Promise<void> {
  try {
    await withChannel(model, (channel) => declare(channel, topology));
  } catch (error) {
    if (!isAccessRefused(error)) throw error;
    try {
      await withChannel(model, (channel) => check(channel, topology));
    } catch (missing) {
      throw new Error(
        `the broker is not set up and this user may not set it up (npm run broker:setup): ${String(missing)}`,
      );
    }
  }
}

async function declare(channel: Channel, topology: Topology): Promise<void> {
  for (const { name, type } of topology.exchanges) await channel.assertExchange(name, type, { durable: true });
  for (const { name, arguments: args } of topology.queues)
    await channel.assertQueue(name, { durable: true, arguments: args });
  for (const { exchange, queue, routingKey } of topology.bindings) await channel.bindQueue(queue, exchange, routingKey);
}

/** Passive declarations need no permission; bindings cannot be checked without one. */
async function check(channel: Channel, topology: Topology): Promise<void> {
  for (const { name } of topology.exchanges) await channel.checkExchange(name);
  for (const { name } of topology.queues) await channel.checkQueue(name);
}

function isAccessRefused(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 403;
}

// Failures surface through promise rejections and the 'close' events; an 'error' event
// without a listener would instead crash the process.
export const ignore = () => {};

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

/** Deletes the exchanges and every queue of `namespace`, messages included (test cleanup), on the first node that answers. */
export async function deleteTopology(url: string, namespace: string): Promise<void> {
  // Deleting what was never declared is a no-op, so every possible retry level can be named;
  // the arguments, and so the queue kind, play no part in a delete.
  const { exchanges, queues } = namespaceTopology(names(namespace), { retryQueues: true, kind: classicQueues });
  const model = await firstAnswering(nodeUrls(url));
  try {
    await withChannel(model, async (channel) => {
      await Promise.all(queues.map(({ name }) => channel.deleteQueue(name)));
      await Promise.all(exchanges.map(({ name }) => channel.deleteExchange(name)));
    });
  } finally {
    await model.close();
  }
}

async function firstAnswering(urls: readonly string[]): Promise<ChannelModel> {
  let lastError: unknown = new Error('no broker URL given');
  for (const url of urls) {
    try {
      return await connect(url);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
