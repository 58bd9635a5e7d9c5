import { connect, type ChannelModel } from 'amqplib';
import Database from 'better-sqlite3';
import type { ServiceName } from '../../contracts';
import { brokerFile } from '../../broker/connect';
import { names, retryLevels } from '../../broker/rabbitmq/topology';
import { queueNames } from '../../contracts/topology';

/** Where a system's broker keeps its messages: the embedded broker's file, or a RabbitMQ namespace. */
export type BrokerLocation = { dataDir: string; rabbit?: undefined } | { rabbit: { url: string; namespace: string } };

export interface Backlog {
  /** Messages waiting in each service's queue or its retries (RabbitMQ: ready ones). */
  waiting: Record<ServiceName, number>;
  deadLettered: Record<ServiceName, number>;
}

const perService = (count: (service: ServiceName) => number) =>
  Object.fromEntries(queueNames.map((service) => [service, count(service)])) as Record<ServiceName, number>;

/**
 * What the broker still holds, read beside the system rather than through its code: rows in the
 * embedded broker's SQLite file, or the depth of every queue of the namespace on RabbitMQ.
 */
export async function brokerBacklog(location: BrokerLocation): Promise<Backlog> {
  return location.rabbit ? rabbitBacklog(location.rabbit) : embeddedBacklog(location.dataDir);
}

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

async function rabbitBacklog({ url, namespace }: { url: string; namespace: string }): Promise<Backlog> {
  const topology = names(namespace);
  const model = await connect(url);
  try {
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    // One channel per queue, all at once: asking for a queue never declared closes its channel.
    const counts = await Promise.all(
      queueNames.map(async (service) => ({
        service,
        waiting: sum(
          await Promise.all(
            [topology.queue(service), ...retryLevels.map((level) => topology.retryQueue(service, level))].map((queue) =>
              depth(model, queue),
            ),
          ),
        ),
        deadLettered: await depth(model, topology.deadLetterQueue(service)),
      })),
    );
    const of = (service: ServiceName) => counts.find((count) => count.service === service)!;
    return { waiting: perService((s) => of(s).waiting), deadLettered: perService((s) => of(s).deadLettered) };
  } finally {
    await model.close();
  }
}

/** Ready messages in a queue; 0 for one never declared (a retry level never used). */
async function depth(model: ChannelModel, queue: string): Promise<number> {
  const channel = await model.createChannel();
  channel.on('error', () => {});
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return 0;
    throw error;
  } finally {
    await channel.close().catch(() => {});
  }
}
