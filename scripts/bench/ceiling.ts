import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import Database from 'better-sqlite3';

/**
 * What RabbitMQ itself moves here: persistent messages through a durable classic queue (the
 * product's queue type), published with up to `window` unconfirmed (the outbox relay publishes
 * a batch of up to 200 at once), consumed with manual acks and the product's prefetch of 32.
 * Messages a second, publish to ack. RabbitMQ confirms a persistent message once it is on disk,
 * so the window, not the CPU, bounds this rate: measured here, 64 gave 1 500 msgs/s, 256 gave 11 000.
 */
export async function rabbitMessagesPerSecond(
  url: string,
  messages = 20_000,
  window = 200,
  prefetch = 32,
): Promise<number> {
  const model = await connect(url);
  const queue = `bench-ceiling-${randomUUID().slice(0, 8)}`;
  try {
    const publisher = await model.createConfirmChannel();
    const consumer = await model.createChannel();
    await publisher.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    await consumer.prefetch(prefetch);
    let consumed = 0;
    const allConsumed = new Promise<void>((resolve) => {
      void consumer.consume(queue, (message) => {
        if (!message) return;
        consumer.ack(message);
        if (++consumed === messages) resolve();
      });
    });
    const body = Buffer.from(JSON.stringify({ type: 'Bench', data: 'x'.repeat(400) }));
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
  } finally {
    const cleanup = await model.createChannel();
    await cleanup.deleteQueue(queue);
    await model.close();
  }
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
