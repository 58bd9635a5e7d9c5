import type { ServiceName } from '../../contracts';
import type { Broker, BrokerOptions, DeadLetter, DeliveryHandler } from '../broker';
import { MessageStore, type StoredMessage } from './store';
import { QueueConsumer, type Copy, type Publication, type Settlements } from './queue-consumer';
import { consumersOf } from '../../contracts/topology';

export interface InProcessBrokerOptions extends BrokerOptions {
  /** The SQLite file holding every message; `:memory:` for a broker that dies with the process. */
  file: string;
  /**
   * How often to look for messages nobody woke us for: written by another process on the
   * same file (a dlq replay). Default 500 ms.
   */
  pollMs?: number;
  /**
   * How long a published message may wait in memory for its queues to settle it before it is
   * written to the file; `publish` resolves at whichever comes first. Default 50 ms.
   */
  storeAfterMs?: number;
}

/**
 * The embedded transport: the same routing, at-least-once delivery, prefetch, requeue, retries
 * and dead-lettering as RabbitMQ, with queues in memory and SQLite beneath them so that a
 * killed process loses nothing. As RabbitMQ confirms a message that was consumed before it
 * had to be written, `publish` resolves once every queue has settled the message or, after
 * `storeAfterMs`, once the copies still waiting are written to the file: until then the
 * publisher keeps it (the outbox relay keeps its row), and under normal load a message is
 * never written here at all. What a process finds on the file when it starts consuming is
 * delivered again, flagged redelivered. Handlers run on a later tick, never inside `publish`,
 * so a handler that publishes cannot re-enter itself.
 */
export class InProcessBroker implements Broker {
  private readonly store: MessageStore;
  private readonly queues = new Map<ServiceName, QueueConsumer>();
  /** The seqs of the stored copies this process holds: the poll must not take them for another process's. */
  private readonly known = new Set<number>();
  private readonly publications = new Set<Publication>();
  private nextOrder = 0;
  private poll: NodeJS.Timeout | undefined;
  /** The last message the poll has looked at: those after it may have been written by another process. */
  private polledUpTo = 0;
  private closed = false;
  /** Publishes made in the same turn, handed out together (the relay publishes a batch at once). */
  private publishing: { queues: ServiceName[]; routingKey: string; payload: string; publication: Publication }[] = [];
  /** Acks of stored copies in this turn, deleted together on the next. */
  private acked: number[] = [];

  constructor(private readonly options: InProcessBrokerOptions) {
    this.store = new MessageStore(options.file);
  }

  async publish(routingKey: string, payload: string): Promise<void> {
    this.ensureOpen();
    const queues = consumersOf(routingKey);
    if (queues.length === 0) return this.options.onUnroutable?.(routingKey);
    return new Promise((resolve, reject) => {
      const publication: Publication = {
        open: queues.length,
        done: (error) => {
          this.publications.delete(publication);
          if (error) reject(error);
          else resolve();
        },
      };
      this.publications.add(publication);
      this.publishing.push({ queues, routingKey, payload, publication });
      if (this.publishing.length === 1) queueMicrotask(() => this.handOut());
    });
  }

  /**
   * Hands this turn's publishes to their queues. A copy for a queue nobody here consumes is
   * written at once; the others get `storeAfterMs` to be settled first.
   */
  private handOut(): void {
    const batch = this.publishing;
    this.publishing = [];
    if (this.closed) return;
    const copies = batch.flatMap(({ queues, routingKey, payload, publication }) =>
      queues.map((queue): Copy => ({
        order: this.nextOrder++,
        seq: undefined,
        queue,
        routingKey,
        payload,
        attempt: 1,
        redelivered: false,
        dueAt: 0,
        publication,
      })),
    );
    const held = copies.filter((copy) => this.queues.has(copy.queue));
    // Read from the file when the queue gets its consumer.
    this.storeWaiting(copies.filter((copy) => !this.queues.has(copy.queue)));
    for (const copy of held) this.queues.get(copy.queue)!.enqueue(copy);
    setTimeout(() => this.storeWaiting(held, { held: true }), this.options.storeAfterMs ?? 50).unref();
  }

  /** Writes the copies whose publish still waits on them, and lets that publish go. */
  private storeWaiting(copies: readonly Copy[], { held = false } = {}): void {
    const waiting = copies.filter((copy) => copy.publication !== undefined);
    if (waiting.length === 0 || this.closed) return;
    let seqs: number[];
    try {
      seqs = this.store.store(waiting);
    } catch (error) {
      // The publisher sends it again; the copies here are delivered anyway, and an inbox drops the second.
      for (const copy of waiting) this.release(copy, error);
      return;
    }
    waiting.forEach((copy, i) => {
      copy.seq = seqs[i]!;
      if (held) this.known.add(copy.seq);
      this.release(copy);
    });
  }

  /** The copy no longer holds its publish back: it is stored or settled (or could not be stored). */
  private release(copy: Copy, error?: unknown): void {
    const publication = copy.publication;
    copy.publication = undefined;
    if (!publication) return;
    if (error !== undefined) publication.done(error);
    else if (--publication.open === 0) publication.done();
  }

  async consume(queue: ServiceName, handler: DeliveryHandler): Promise<void> {
    this.ensureOpen();
    if (this.queues.has(queue)) throw new Error(`${queue} already has a consumer`);
    const consumer = new QueueConsumer(handler, this.settlements, {
      prefetch: this.options.prefetch ?? 32,
      isClosed: () => this.closed,
    });
    this.queues.set(queue, consumer);
    for (const message of this.store.queued(queue)) this.takeStored(message);
    // Unref'd, as are the retry timers: pending messages are on disk, so they never need to keep a process alive.
    this.poll ??= setInterval(() => this.pickUpForeignWrites(), this.options.pollMs ?? 500).unref();
  }

  /** A message found on the file, for the queue that consumes it here (if one does). */
  private takeStored(message: StoredMessage): void {
    const consumer = this.queues.get(message.queue);
    if (!consumer || this.known.has(message.seq)) return;
    this.known.add(message.seq);
    consumer.enqueue({ ...message, order: this.nextOrder++, publication: undefined });
  }

  /** Queues what another process wrote to the file (a dlq replay): this one knows every row it wrote. */
  private pickUpForeignWrites(): void {
    if (this.closed) return;
    const stored = this.store.storedAfter(this.polledUpTo);
    this.polledUpTo = stored.at(-1)?.seq ?? this.polledUpTo;
    for (const message of stored) this.takeStored(message);
  }

  /** What settling a delivery does to the file and to the publish that is waiting on it. */
  private readonly settlements: Settlements = {
    ack: (copy) => {
      if (copy.seq !== undefined) {
        this.acked.push(copy.seq);
        if (this.acked.length === 1) setImmediate(() => this.removeAcked());
      }
      this.release(copy);
    },
    retry: (copy, delayMs, reason, attempt) => {
      const retried = { ...copy, attempt, redelivered: false, dueAt: Date.now() + delayMs };
      if (copy.seq !== undefined) this.store.retry(copy.seq, attempt, retried.dueAt, reason);
      else {
        // A pending retry outlives any wait: it is written before the publish may go.
        [retried.seq] = this.store.store([{ ...retried, retryReason: reason }]);
        this.known.add(retried.seq!);
      }
      this.release(copy);
      return { ...retried, publication: undefined };
    },
    deadLetter: (copy, reason) => {
      this.store.deadLetter(copy, reason, new Date());
      if (copy.seq !== undefined) this.known.delete(copy.seq);
      this.release(copy);
    },
  };

  private removeAcked(): void {
    const seqs = this.acked;
    this.acked = [];
    if (seqs.length === 0 || this.closed) return;
    this.store.ack(seqs);
    for (const seq of seqs) this.known.delete(seq);
  }

  async deadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    this.ensureOpen();
    return this.store.deadLetters(queue);
  }

  async countDeadLetters(queue: ServiceName): Promise<number> {
    this.ensureOpen();
    return this.store.countDeadLetters(queue);
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
    this.removeAcked();
    this.closed = true;
    clearInterval(this.poll);
    for (const consumer of this.queues.values()) consumer.stop();
    // As when a RabbitMQ channel closes: a publish not yet confirmed fails, and its sender keeps the message.
    for (const publication of [...this.publications]) publication.done(new Error('broker is closed'));
    this.store.close();
  }

  private replay(ids: readonly string[]): DeadLetter[] {
    this.ensureOpen();
    const replayed = this.store.replay(ids);
    for (const { message } of replayed) this.takeStored(message);
    return replayed.map(({ letter }) => letter);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('broker is closed');
  }
}
