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
 * and dead-lettering as RabbitMQ. Queues live in memory, and every message also in SQLite
 * from its publish to its ack, so that a killed process loses nothing: `publish` resolves once
 * the message is committed, and what was not acked is delivered again by the next process that
 * consumes the queue (flagged redelivered). Handing a message out is not a write. Handlers run
 * on a later tick, never inside `publish`, so a handler that publishes cannot re-enter itself.
 */
export class InProcessBroker implements Broker {
  private readonly store: MessageStore;
  private readonly queues = new Map<ServiceName, QueueConsumer>();
  private poll: NodeJS.Timeout | undefined;
  /** The last message the poll has looked at: those after it may have been written by another process. */
  private polledUpTo = 0;
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

  /** Commits what was published this turn, then tells each publisher and hands it to the queues. */
  private storePublished(): void {
    const batch = this.publishing;
    this.publishing = [];
    let stored: StoredMessage[];
    try {
      this.ensureOpen();
      stored = this.store.publish(batch);
    } catch (error) {
      for (const message of batch) message.done(error);
      return;
    }
    for (const message of batch) message.done();
    this.deliver(stored);
  }

  /** Hands messages to their queues' consumers; a queue without one reads its messages when it gets one. */
  private deliver(messages: readonly StoredMessage[]): void {
    for (const message of messages) this.queues.get(message.queue)?.enqueue(message);
  }

  async consume(queue: ServiceName, handler: DeliveryHandler): Promise<void> {
    this.ensureOpen();
    if (this.queues.has(queue)) throw new Error(`${queue} already has a consumer`);
    const consumer = new QueueConsumer(handler, this.store, {
      prefetch: this.options.prefetch ?? 32,
      isClosed: () => this.closed,
    });
    this.queues.set(queue, consumer);
    for (const message of this.store.queued(queue)) consumer.enqueue(message);
    // Unref'd, as are the retry timers: pending messages are on disk, so they never need to keep a process alive.
    this.poll ??= setInterval(() => this.pickUpForeignWrites(), this.options.pollMs ?? 500).unref();
  }

  /** Queues what another process wrote to the file (a dlq replay): this one knows every message it wrote. */
  private pickUpForeignWrites(): void {
    if (this.closed) return;
    const stored = this.store.storedAfter(this.polledUpTo);
    this.polledUpTo = stored.at(-1)?.seq ?? this.polledUpTo;
    this.deliver(stored.filter((message) => !this.queues.get(message.queue)?.knows(message.seq)));
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
    // As when a RabbitMQ channel closes: what was handed out and not acked stays queued, on disk.
    for (const consumer of this.queues.values()) consumer.stop();
    this.store.close();
  }

  private replay(ids: readonly string[]): DeadLetter[] {
    this.ensureOpen();
    const replayed = this.store.replay(ids);
    this.deliver(replayed.map(({ message }) => message));
    return replayed.map(({ letter }) => letter);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('broker is closed');
  }
}

interface ConsumerSettings {
  prefetch: number;
  isClosed: () => boolean;
}

/** Hands one queue's due messages to its handler, oldest first, at most `prefetch` unsettled at once. */
class QueueConsumer {
  /** Due messages in seq order. */
  private readonly ready: StoredMessage[] = [];
  /** Pending retries, each until its `dueAt`. */
  private readonly waiting: StoredMessage[] = [];
  /** Every message this consumer has and has not yet removed from the store. */
  private readonly known = new Set<number>();
  private inFlight = 0;
  private woken = false;
  private dueTimer: NodeJS.Timeout | undefined;
  /**
   * Acks of this turn, removed together on the next: until then the messages are still known,
   * so the poll does not take them for another process's; after a crash they come again, and
   * the inbox drops them.
   */
  private acked: number[] = [];

  constructor(
    private readonly handler: DeliveryHandler,
    private readonly store: MessageStore,
    private readonly settings: ConsumerSettings,
  ) {}

  knows(seq: number): boolean {
    return this.known.has(seq);
  }

  enqueue(message: StoredMessage): void {
    this.known.add(message.seq);
    if (message.dueAt > Date.now()) this.waiting.push(message);
    else insertInOrder(this.ready, message);
    this.wake();
  }

  /** Dispatches on a later tick, so a burst of publishes is handed out together. */
  private wake(): void {
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
    if (seqs.length === 0) return;
    this.store.ack(seqs);
    for (const seq of seqs) this.known.delete(seq);
  }

  private pump(): void {
    if (this.settings.isClosed()) return;
    this.releaseDue(Date.now());
    const free = Math.min(this.settings.prefetch - this.inFlight, this.ready.length);
    if (free <= 0) return; // a settlement or a publish wakes us again
    const handedOut = this.ready.splice(0, free);
    this.inFlight += handedOut.length;
    for (const message of handedOut) void this.dispatch(message);
  }

  /** Moves the retries that fell due to the ready queue, and sets a timer for the next. */
  private releaseDue(now: number): void {
    if (this.waiting.length === 0) return;
    let next = Infinity;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const message = this.waiting[i]!;
      if (message.dueAt > now) next = Math.min(next, message.dueAt);
      else {
        this.waiting.splice(i, 1);
        insertInOrder(this.ready, message);
      }
    }
    clearTimeout(this.dueTimer);
    if (next < Infinity) this.dueTimer = setTimeout(() => this.wake(), next - now).unref();
  }

  private async dispatch(message: StoredMessage): Promise<void> {
    const { seq } = message;
    const { isClosed } = this.settings;
    let settled = false;
    // Settling twice would corrupt the in-flight count; amqplib treats it as a channel error.
    const settle = (apply: () => void) => {
      if (settled) throw new Error(`delivery of ${message.routingKey} settled twice`);
      settled = true;
      this.inFlight--;
      // Once closed, the message stays on disk for the next process (and the store is gone).
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
      requeue: () => settle(() => insertInOrder(this.ready, { ...message, redelivered: true })),
      retry: async (delayMs, reason) =>
        settle(() => {
          const dueAt = Date.now() + delayMs;
          this.store.retry(seq, dueAt, reason);
          this.waiting.push({ ...message, attempt: message.attempt + 1, redelivered: false, dueAt });
        }),
      deadLetter: async (reason) =>
        settle(() => {
          this.store.deadLetter(seq, reason, new Date());
          this.known.delete(seq);
        }),
    };
    try {
      await this.handler(delivery);
    } catch {
      // As over RabbitMQ: a handler that fails without settling gets its message back.
      if (!settled) delivery.requeue();
    }
  }
}

/** Inserts into a queue kept in seq order; new messages, the common case, go at the end. */
function insertInOrder(queue: StoredMessage[], message: StoredMessage): void {
  let at = queue.length;
  while (at > 0 && queue[at - 1]!.seq > message.seq) at--;
  queue.splice(at, 0, message);
}
