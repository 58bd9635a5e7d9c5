import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ConfirmChannel } from 'amqplib';
import Database from 'better-sqlite3';
import type { QueueKind } from '../../broker/rabbitmq/topology';
import { nodeUrls } from '../../broker/rabbitmq/urls';
import { status } from './report';

export type QueueType = QueueKind['type'];

/**
 * A durable queue of `queueType` for one measurement, deleted afterwards. `url` is one node, or
 * a cluster's nodes separated by commas (as BROKER_URL): the queue is declared through the first.
 */
async function withQueue<T>(
  url: string,
  queueType: QueueType,
  measure: (channels: { publisher: ConfirmChannel; consumer: Channel; queue: string }) => Promise<T>,
): Promise<T> {
  const model = await connect(nodeUrls(url)[0]!, { noDelay: true });
  const queue = `bench-ceiling-${randomUUID().slice(0, 8)}`;
  try {
    const publisher = await model.createConfirmChannel();
    const consumer = await model.createChannel();
    await publisher.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': queueType } });
    return await measure({ publisher, consumer, queue });
  } finally {
    const cleanup = await model.createChannel();
    await cleanup.deleteQueue(queue);
    await model.close();
  }
}

const body = Buffer.from(JSON.stringify({ type: 'Bench', data: 'x'.repeat(400) }));

/**
 * What RabbitMQ itself moves here: persistent messages through a durable queue of `queueType`
 * (the product's are classic unless BROKER_QUEUE_TYPE=quorum), published with up to `window`
 * unconfirmed (as the outbox relay does), consumed with manual acks and the product's prefetch
 * of 32. Messages a second, publish to ack. RabbitMQ confirms a persistent message once it is
 * on disk, so the window, not the CPU, bounds this rate: measured here, 64 gave 1 500 msgs/s,
 * 256 gave 11 000.
 */
export function rabbitMessagesPerSecond(
  url: string,
  {
    queueType = 'classic',
    messages = 20_000,
    window = 256,
    prefetch = 32,
  }: Partial<{
    queueType: QueueType;
    messages: number;
    window: number;
    prefetch: number;
  }> = {},
): Promise<number> {
  return withQueue(url, queueType, async ({ publisher, consumer, queue }) => {
    await consumer.prefetch(prefetch);
    let consumed = 0;
    const allConsumed = new Promise<void>((resolve) => {
      void consumer.consume(queue, (message) => {
        if (!message) return;
        consumer.ack(message);
        if (++consumed === messages) resolve();
      });
    });
    const started = performance.now();
    let inFlight = 0;
    let freed: (() => void) | undefined;
    for (let i = 0; i < messages; i++) {
      while (inFlight >= window) await new Promise<void>((resolve) => (freed = resolve));
      inFlight++;
      publisher.sendToQueue(queue, body, { persistent: true }, () => {
        inFlight--;
        freed?.();
      });
    }
    await allConsumed;
    return messages / ((performance.now() - started) / 1000);
  });
}

/**
 * One hop when nothing else is going on: the median time from publishing a persistent message
 * to its delivery to a consumer, one message at a time. A saga is about ten hops in a row, so
 * this is the least latency a queue type allows.
 */
export function rabbitHopMs(url: string, queueType: QueueType, hops = 50): Promise<number> {
  return withQueue(url, queueType, async ({ publisher, consumer, queue }) => {
    let delivered: (() => void) | undefined;
    await consumer.consume(queue, (message) => {
      if (!message) return;
      consumer.ack(message);
      delivered?.();
    });
    const times: number[] = [];
    for (let i = 0; i < hops; i++) {
      const started = performance.now();
      const arrived = new Promise<void>((resolve) => (delivered = resolve));
      publisher.sendToQueue(queue, body, { persistent: true });
      await arrived;
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[hops >> 1]!;
  });
}

/** Small write transactions a second on a SQLite file with the product's settings (WAL, synchronous=NORMAL). */
export async function sqliteCommitsPerSecond(commits = 20_000): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sqlite-'));
  const db = new Database(join(dir, 'bench.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO rows (payload) VALUES (?)');
    const write = db.transaction((payload: string) => insert.run(payload));
    const payload = 'x'.repeat(400);
    const started = performance.now();
    for (let i = 0; i < commits; i++) write(payload);
    return commits / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * RabbitMQ on its own, by broker name: messages a second and one hop at rest, on each broker's
 * own nodes and queue type; with the single node, a quorum queue there too (`single+quorum`),
 * the evidence for the product's default of classic queues.
 */
export async function rabbitCeilings(
  brokers: readonly { name: string; url: string; queueType: QueueType; variant: string }[],
  rabbitmq: string,
): Promise<Record<string, { messagesPerSecond: number; hopMs: number }>> {
  const measured = brokers.flatMap((broker) =>
    broker.variant === 'single'
      ? [broker, { name: 'single+quorum', url: rabbitmq, queueType: 'quorum' as const }]
      : [broker],
  );
  const ceilings: Record<string, { messagesPerSecond: number; hopMs: number }> = {};
  for (const { name, url, queueType } of measured) {
    status(`measuring the ceiling: RabbitMQ ${name}`);
    ceilings[name] = {
      messagesPerSecond: await rabbitMessagesPerSecond(url, { queueType }),
      hopMs: await rabbitHopMs(url, queueType),
    };
  }
  return ceilings;
}
