import type { ServiceName } from '../../contracts';
import type { Broker, BrokerOptions, DeadLetter, DeliveryHandler } from '../broker';
import { assertNever } from '../../lib/assert-never';
import { MessageStore, type StoredMessage } from './store';
import { QueueConsumer, type BrokerSettlement, type Copy, type Publication } from './queue-consumer';
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

/** A publish of this turn, not yet handed to its queues. */
interface Publish {
  queues: ServiceName[];
  routingKey: string;
  payload: string;
  publication: Publication;
}

/**
 * The broker's one state, which every transition reads and changes. Open, it holds the queues
 * consumed here with what they hold (each `QueueConsumer`), the publishes not yet confirmed, and
 * what the file has that this process knows of; closed, nothing: the file keeps what was stored.
 */
type BrokerState =
  | {
      kind: 'open';
      queues: Map<ServiceName, QueueConsumer>;
      /** Publishes made in this turn, handed out together at its end (the relay publishes a batch at once). */
      publishing: Publish[];
      /** Publishes not yet confirmed, each with how many of its copies are neither stored nor settled. */
      unconfirmed: Map<Publication, number>;
      /** The seqs of the stored copies this process holds: the poll must not take them for another process's. */
      known: Set<number>;
      /** Acks of stored copies in this turn, deleted together on the next. */
      acked: number[];
      /** The place in its queue of the next copy made or read here. */
      nextOrder: number;
      /**
       * The look for what another process wrote, once something is consumed here; `upTo`, the last
       * message it has looked at: those after it may have been written by another process.
       */
      poll: { timer: NodeJS.Timeout; upTo: number } | undefined;
    }
  | { kind: 'closed' };

type Open = Extract<BrokerState, { kind: 'open' }>;

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
 *
 * A message's way through is a few transitions over the one state: `publish` adds it to the
 * turn's batch; `handOut` makes a copy for each of its queues at the end of the turn; each copy
 * is settled by its queue (`settle`) or, still waiting after `storeAfterMs`, written
 * (`storeWaiting`), and either `release`s its publish, which resolves once none of its copies
 * holds it. `pickUpForeignWrites`, on the poll, queues the rows another process wrote.
 */
export class InProcessBroker implements Broker {
  private readonly store: MessageStore;
  private state: BrokerState = {
    kind: 'open',
    queues: new Map(),
    publishing: [],
    unconfirmed: new Map(),
    known: new Set(),
    acked: [],
    nextOrder: 0,
    poll: undefined,
  };

  constructor(private readonly options: InProcessBrokerOptions) {
    this.store = new MessageStore(options.file);
  }

  async publish(routingKey: string, payload: string): Promise<void> {
    const state = this.open();
    const queues = consumersOf(routingKey);
    if (queues.length === 0) return this.options.onUnroutable?.(routingKey);
    return new Promise((resolve, reject) => {
      const publication: Publication = { resolve, reject };
      state.unconfirmed.set(publication, queues.length);
      state.publishing.push({ queues, routingKey, payload, publication });
      if (state.publishing.length === 1) queueMicrotask(() => this.handOut());
    });
  }

  /**
   * Hands this turn's publishes to their queues. A copy for a queue nobody here consumes is
   * written at once; the others get `storeAfterMs` to be settled first.
   */
  private handOut(): void {
    const state = this.state;
    if (state.kind === 'closed') return;
    const batch = state.publishing;
    state.publishing = [];
    const held: Copy[] = [];
    const elsewhere: Copy[] = [];
    for (const { queues, routingKey, payload, publication } of batch) {
      for (const queue of queues) {
        const copy: Copy = {
          order: state.nextOrder++,
          seq: undefined,
          queue,
          routingKey,
          payload,
          attempt: 1,
          redelivered: false,
          dueAt: 0,
          publication,
        };
        (state.queues.has(queue) ? held : elsewhere).push(copy);
      }
    }
    // Read from the file when the queue gets its consumer.
    this.storeWaiting(elsewhere, { held: false });
    for (const copy of held) state.queues.get(copy.queue)!.enqueue(copy);
    setTimeout(() => this.storeWaiting(held, { held: true }), this.options.storeAfterMs ?? 50).unref();
  }

  /** Writes the copies whose publish still waits on them, and lets that publish go. */
  private storeWaiting(copies: readonly Copy[], { held }: { held: boolean }): void {
    const state = this.state;
    if (state.kind === 'closed') return;
    const waiting = copies.filter((copy) => copy.publication !== undefined);
    if (waiting.length === 0) return;
    let seqs: number[];
    try {
      seqs = this.store.store(waiting);
    } catch (error) {
      // The publisher sends it again; the copies here are delivered anyway, and an inbox drops the second.
      for (const copy of waiting) this.release(state, copy, error);
      return;
    }
    waiting.forEach((copy, i) => {
      copy.seq = seqs[i]!;
      if (held) state.known.add(copy.seq);
      this.release(state, copy);
    });
  }

  /** What settling a delivery does beyond its queue: to the file, and to the publish waiting on the copy. */
  private settle(copy: Copy, settlement: BrokerSettlement): void {
    const state = this.state;
    if (state.kind === 'closed') return;
    switch (settlement.kind) {
      case 'ack':
        if (copy.seq !== undefined) {
          state.acked.push(copy.seq);
          if (state.acked.length === 1) setImmediate(() => this.removeAcked());
        }
        break;
      case 'retry':
        // The copy already carries its new attempt and due time.
        if (copy.seq !== undefined) this.store.retry(copy.seq, copy.attempt, copy.dueAt, settlement.reason);
        else {
          // A pending retry outlives any wait: it is written before the publish may go.
          const [seq] = this.store.store([{ ...copy, retryReason: settlement.reason }]);
          copy.seq = seq!;
          state.known.add(seq!);
        }
        break;
      case 'deadLetter':
        this.store.deadLetter(copy, settlement.reason, new Date());
        if (copy.seq !== undefined) state.known.delete(copy.seq);
        break;
      default:
        assertNever(settlement);
    }
    this.release(state, copy);
  }

  /** The copy no longer holds its publish back: it is stored or settled (or could not be stored). */
  private release(state: Open, copy: Copy, error?: unknown): void {
    const publication = copy.publication;
    if (publication === undefined) return;
    copy.publication = undefined;
    const open = state.unconfirmed.get(publication);
    if (open === undefined) return; // failed already, through another of its copies
    if (error === undefined && open > 1) {
      state.unconfirmed.set(publication, open - 1);
      return;
    }
    state.unconfirmed.delete(publication);
    if (error === undefined) publication.resolve();
    else publication.reject(error);
  }

  private removeAcked(): void {
    const state = this.state;
    if (state.kind === 'closed' || state.acked.length === 0) return;
    const seqs = state.acked;
    state.acked = [];
    this.store.ack(seqs);
    for (const seq of seqs) state.known.delete(seq);
  }

  async consume(queue: ServiceName, handler: DeliveryHandler): Promise<void> {
    const state = this.open();
    if (state.queues.has(queue)) throw new Error(`${queue} already has a consumer`);
    const consumer = new QueueConsumer(handler, this.options.prefetch ?? 32, (copy, settlement) =>
      this.settle(copy, settlement),
    );
    state.queues.set(queue, consumer);
    for (const message of this.store.queued(queue)) this.takeStored(state, message);
    // Unref'd, as are the retry timers: pending messages are on disk, so they never need to keep a process alive.
    state.poll ??= {
      timer: setInterval(() => this.pickUpForeignWrites(), this.options.pollMs ?? 500).unref(),
      upTo: 0,
    };
  }

  /** A message found on the file, for the queue that consumes it here (if one does). */
  private takeStored(state: Open, message: StoredMessage): void {
    const consumer = state.queues.get(message.queue);
    if (!consumer || state.known.has(message.seq)) return;
    state.known.add(message.seq);
    consumer.enqueue({ ...message, order: state.nextOrder++, publication: undefined });
  }

  /** Queues what another process wrote to the file (a dlq replay): this one knows every row it wrote. */
  private pickUpForeignWrites(): void {
    const state = this.state;
    if (state.kind === 'closed' || !state.poll) return;
    const stored = this.store.storedAfter(state.poll.upTo);
    state.poll.upTo = stored.at(-1)?.seq ?? state.poll.upTo;
    for (const message of stored) this.takeStored(state, message);
  }

  async deadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    this.open();
    return this.store.deadLetters(queue);
  }

  async countDeadLetters(queue: ServiceName): Promise<number> {
    this.open();
    return this.store.countDeadLetters(queue);
  }

  async replayDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.replay([id])[0];
  }

  async replayDeadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    this.open();
    return this.replay(this.store.deadLetters(queue).map((letter) => letter.id));
  }

  async purgeDeadLetters(queue: ServiceName): Promise<number> {
    this.open();
    return this.store.purge(queue);
  }

  isConnected(): boolean {
    return this.state.kind === 'open';
  }

  async close(): Promise<void> {
    const state = this.state;
    if (state.kind === 'closed') return;
    this.removeAcked();
    this.state = { kind: 'closed' };
    clearInterval(state.poll?.timer);
    for (const consumer of state.queues.values()) consumer.stop();
    // As when a RabbitMQ channel closes: a publish not yet confirmed fails, and its sender keeps the message.
    for (const publication of state.unconfirmed.keys()) publication.reject(new Error('broker is closed'));
    this.store.close();
  }

  private replay(ids: readonly string[]): DeadLetter[] {
    const state = this.open();
    const replayed = this.store.replay(ids);
    for (const { message } of replayed) this.takeStored(state, message);
    return replayed.map(({ letter }) => letter);
  }

  /** The open state; throws once the broker is closed. */
  private open(): Open {
    const state = this.state;
    if (state.kind === 'closed') throw new Error('broker is closed');
    return state;
  }
}
