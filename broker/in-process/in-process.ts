import { randomUUID } from 'node:crypto';
import type { ServiceName } from '../../contracts';
import type { Broker, BrokerOptions, DeadLetter, Delivery, DeliveryHandler } from '../broker';
import { MessageStore, type StoredMessage } from './store';
import { consumersOf } from '../../contracts/topology';

export interface InProcessBrokerOptions extends BrokerOptions {
  /** The SQLite file holding every message; `:memory:` for a broker that dies with the process. */
  file: string;
  /**
   * How often to look for messages nobody woke us for: written by another process on the
   * same file (a dlq replay). Default 500 ms.
   */
  pollMs?: number;
}

/**
 * The embedded transport: the same routing, at-least-once delivery, prefetch, requeue, retries
 * and dead-lettering as RabbitMQ, kept in SQLite so that a killed process loses nothing:
 * `publish` resolves once the message is committed, and what was delivered but not acked is
 * delivered again (redelivered) by the next process that consumes the queue. Handlers run on
 * a later tick, never inside `publish`, so a handler that publishes cannot re-enter itself.
 */
export class InProcessBroker implements Broker {
  private readonly store: MessageStore;
  /** Marks the messages this instance holds unacked. */
  private readonly consumerId = randomUUID();
  private readonly queues = new Map<ServiceName, QueueConsumer>();
  private poll: NodeJS.Timeout | undefined;
  private closed = false;
  /** Publishes made in the same turn, stored in one transaction (the relay publishes a batch at once). */
  private publishing: {
    queues: ServiceName[];
    routingKey: string;
    payload: string;
    done: (error?: unknown) => void;
  }[] = [];

  constructor(private readonly options: InProcessBrokerOptions) {
    this.store = new MessageStore(options.file);
  }

  async publish(routingKey: string, payload: string): Promise<void> {
    this.ensureOpen();
    const queues = consumersOf(routingKey);
    if (queues.length === 0) return this.options.onUnroutable?.(routingKey);
    return new Promise((resolve, reject) => {
      this.publishing.push({ queues, routingKey, payload, done: (error) => (error ? reject(error) : resolve()) });
      if (this.publishing.length === 1) queueMicrotask(() => this.storePublished());
    });
  }

  /** Commits what was published this turn, then tells each publisher and wakes the queues. */
  private storePublished(): void {
    const batch = this.publishing;
    this.publishing = [];
    try {
      this.ensureOpen();
      this.store.publish(batch);
    } catch (error) {
      for (const message of batch) message.done(error);
      return;
    }
    for (const message of batch) message.done();
    for (const name of new Set(batch.flatMap((message) => message.queues))) this.queues.get(name)?.wake();
  }

  async consume(queue: ServiceName, handler: DeliveryHandler): Promise<void> {
    this.ensureOpen();
    if (this.queues.has(queue)) throw new Error(`${queue} already has a consumer`);
    this.store.reclaim(queue, this.consumerId);
    const consumer = new QueueConsumer(queue, handler, this.store, {
      consumerId: this.consumerId,
      prefetch: this.options.prefetch ?? 32,
      isClosed: () => this.closed,
    });
    this.queues.set(queue, consumer);
    consumer.wake();
    // Unref'd, as are the retry timers: pending messages are on disk, so they never need to keep a process alive.
    this.poll ??= setInterval(() => {
      for (const each of this.queues.values()) each.wake();
    }, this.options.pollMs ?? 500).unref();
  }

  async deadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    this.ensureOpen();
    return this.store.deadLetters(queue);
  }

  async replayDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.replay([id])[0];
  }

  async replayDeadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    this.ensureOpen();
    return this.replay(this.store.deadLetters(queue).map((letter) => letter.id));
  }

  async purgeDeadLetters(queue: ServiceName): Promise<number> {
    this.ensureOpen();
    return this.store.purge(queue);
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    for (const consumer of this.queues.values()) consumer.stop();
    // As when a RabbitMQ channel closes: what was handed out and not acked goes back to its queue.
    this.store.release(this.consumerId);
    this.store.close();
  }

  private replay(ids: readonly string[]): DeadLetter[] {
    this.ensureOpen();
    const replayed = this.store.replay(ids);
    for (const letter of replayed) this.queues.get(letter.queue)?.wake();
    return replayed;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('broker is closed');
  }
}

interface ConsumerSettings {
  consumerId: string;
  prefetch: number;
  isClosed: () => boolean;
}

/** Hands one queue's due messages to its handler, at most `prefetch` unsettled at once. */
class QueueConsumer {
  private inFlight = 0;
  private woken = false;
  private dueTimer: NodeJS.Timeout | undefined;
  /**
   * Acks of this turn, removed together on the next: until then the messages stay held by this
   * consumer, so they are not handed out again; after a crash they are, and the inbox drops them.
   */
  private acked: number[] = [];

  constructor(
    private readonly queue: ServiceName,
    private readonly handler: DeliveryHandler,
    private readonly store: MessageStore,
    private readonly settings: ConsumerSettings,
  ) {}

  /** Claims on a later tick, so a burst of publishes costs one query. */
  wake(): void {
    if (this.woken) return;
    this.woken = true;
    setImmediate(() => {
      this.woken = false;
      this.pump();
    });
  }

  stop(): void {
    clearTimeout(this.dueTimer);
    this.removeAcked();
  }

  private removeAcked(): void {
    const seqs = this.acked;
    this.acked = [];
    if (seqs.length > 0) this.store.ack(seqs, this.settings.consumerId);
  }

  private pump(): void {
    if (this.settings.isClosed()) return;
    const now = Date.now();
    const free = this.settings.prefetch - this.inFlight;
    if (free <= 0) return; // a settlement wakes us again
    const claimed = this.store.claim(this.queue, this.settings.consumerId, now, free);
    this.inFlight += claimed.length;
    clearTimeout(this.dueTimer);
    const due = this.store.nextDue(this.queue, now);
    if (due !== undefined) this.dueTimer = setTimeout(() => this.wake(), due - now).unref();
    // Last: a handler may close the broker, and its store, before its first await.
    for (const message of claimed) void this.dispatch(message);
  }

  private async dispatch(message: StoredMessage): Promise<void> {
    const { seq } = message;
    const { consumerId, isClosed } = this.settings;
    let settled = false;
    // Settling twice would corrupt the in-flight count; amqplib treats it as a channel error.
    const settle = (apply: () => void) => {
      if (settled) throw new Error(`delivery of ${message.routingKey} settled twice`);
      settled = true;
      this.inFlight--;
      // Once closed, the store has handed the message back to its queue (and is itself gone).
      if (!isClosed()) apply();
      this.wake();
    };
    const delivery: Delivery = {
      routingKey: message.routingKey,
      payload: message.payload,
      redelivered: message.redelivered,
      attempt: message.attempt,
      ack: () =>
        settle(() => {
          this.acked.push(seq);
          if (this.acked.length === 1) setImmediate(() => !isClosed() && this.removeAcked());
        }),
      requeue: () => settle(() => this.store.requeue(seq, consumerId)),
      retry: async (delayMs, reason) => settle(() => this.store.retry(seq, consumerId, Date.now() + delayMs, reason)),
      deadLetter: async (reason) => settle(() => this.store.deadLetter(seq, consumerId, reason, new Date())),
    };
    try {
      await this.handler(delivery);
    } catch {
      // As over RabbitMQ: a handler that fails without settling gets its message back.
      if (!settled) delivery.requeue();
    }
  }
}
