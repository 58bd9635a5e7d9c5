import Database from 'better-sqlite3';
import type { ServiceName } from '../../contracts';
import { brokerFile } from '../../broker/connect';
import { names, retryLevels } from '../../broker/rabbitmq/topology';
import { queueNames } from '../../contracts/topology';
import { vhostOf } from '../../broker/operator/rabbitmq-permissions';
import { nodeUrls } from '../../broker/rabbitmq/urls';
import { queueCounters } from './rabbitmqctl';

/** Where a system's broker keeps its messages: the embedded broker's file, or a RabbitMQ namespace. */
export type BrokerLocation = { dataDir: string; rabbit?: undefined } | { rabbit: { url: string; namespace: string } };

export interface Backlog {
  /** Messages waiting in each service's queue or its retries, handed to a consumer and not yet acknowledged included. */
  waiting: Record<ServiceName, number>;
  deadLettered: Record<ServiceName, number>;
}

const perService = (count: (service: ServiceName) => number) =>
  Object.fromEntries(queueNames.map((service) => [service, count(service)])) as Record<ServiceName, number>;

/**
 * What the broker still holds, read beside the system rather than through its code: rows in the
 * embedded broker's SQLite file, or what rabbitmqctl reports of every queue of the namespace.
 */
export async function brokerBacklog(location: BrokerLocation): Promise<Backlog> {
  return location.rabbit ? rabbitBacklog(location.rabbit) : embeddedBacklog(location.dataDir);
}

/**
 * A message handed to a consumer keeps its row until it is acked; in its first moments, before
 * it is written here (`storeAfterMs`), its publisher keeps its outbox row instead, which the
 * invariants wait on too. So unacknowledged deliveries count here as well.
 */
function embeddedBacklog(dataDir: string): Backlog {
  const db = new Database(brokerFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    const countsOf = (table: string) => {
      const rows = db.prepare(`SELECT queue, count(*) AS n FROM ${table} GROUP BY queue`).all() as {
        queue: ServiceName;
        n: number;
      }[];
      return new Map(rows.map((row) => [row.queue, row.n]));
    };
    const waiting = countsOf('messages');
    const dead = countsOf('dead_letters');
    return { waiting: perService((s) => waiting.get(s) ?? 0), deadLettered: perService((s) => dead.get(s) ?? 0) };
  } finally {
    db.close();
  }
}

/**
 * Over RabbitMQ a message is waiting while it is ready in the service's queue or a retry queue,
 * and still while a consumer holds it unacknowledged: its handler may not have committed yet.
 * A passive declare over AMQP counts only ready messages, so the node is asked instead.
 */
async function rabbitBacklog({ url, namespace }: { url: string; namespace: string }): Promise<Backlog> {
  const topology = names(namespace);
  const vhost = vhostOf(new URL(nodeUrls(url)[0]!));
  const queues = await queueCounters(vhost, ['messages_ready', 'messages_unacknowledged']);
  const held = new Map(queues.map((queue) => [queue.name, queue.messages_ready + queue.messages_unacknowledged]));
  // Every connection declares these: not finding them means looking in the wrong place, not quiet.
  const missing = queueNames
    .flatMap((service) => [topology.queue(service), topology.deadLetterQueue(service)])
    .filter((queue) => !held.has(queue));
  if (missing.length > 0) throw new Error(`no queue ${missing.join(', ')} in RabbitMQ's vhost ${vhost}`);
  // A queue never declared (a retry level never used) holds nothing.
  const inQueue = (queue: string) => held.get(queue) ?? 0;
  const withRetries = (service: ServiceName) => [
    topology.queue(service),
    ...retryLevels.map((level) => topology.retryQueue(service, level)),
  ];
  return {
    waiting: perService((s) => withRetries(s).reduce((sum, queue) => sum + inQueue(queue), 0)),
    deadLettered: perService((s) => inQueue(topology.deadLetterQueue(s))),
  };
}
