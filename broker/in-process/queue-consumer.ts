import type { Delivery, DeliveryHandler } from '../broker';
import type { StoredMessage } from './store';

/** One queue's copy of a published message, in memory. */
export interface Copy extends Omit<StoredMessage, 'seq'> {
  /** Its place in its queue: the order it was published in, kept through requeues and retries. */
  order: number;
  /** Its row in the file, once it has one. */
  seq: number | undefined;
  /** The publish still waiting on this copy: until it is stored, or settled by its queue. */
  publication: Publication | undefined;
}

export interface Publication {
  /** Copies neither stored nor settled yet. */
  open: number;
  done: (error?: unknown) => void;
}

/** What settling a delivery does beyond the queue: to the file, and to the publish waiting on it. */
export interface Settlements {
  ack(copy: Copy): void;
  /** The copy as it waits for its retry. */
  retry(copy: Copy, delayMs: number, reason: string, attempt: number): Copy;
  deadLetter(copy: Copy, reason: string): void;
}

interface ConsumerSettings {
  prefetch: number;
  isClosed: () => boolean;
}

/** Hands one queue's due messages to its handler, in order, at most `prefetch` unsettled at once. */
export class QueueConsumer {
  /** Due messages in order. */
  private readonly ready: Copy[] = [];
  /** Pending retries, each until its `dueAt`. */
  private readonly waiting: Copy[] = [];
  private inFlight = 0;
  private woken = false;
  private dueTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly handler: DeliveryHandler,
    private readonly settlements: Settlements,
    private readonly settings: ConsumerSettings,
  ) {}

  enqueue(copy: Copy): void {
    if (copy.dueAt > Date.now()) this.waiting.push(copy);
    else insertInOrder(this.ready, copy);
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
  }

  private pump(): void {
    if (this.settings.isClosed()) return;
    this.releaseDue(Date.now());
    const free = Math.min(this.settings.prefetch - this.inFlight, this.ready.length);
    if (free <= 0) return; // a settlement or a publish wakes us again
    const handedOut = this.ready.splice(0, free);
    this.inFlight += handedOut.length;
    for (const copy of handedOut) void this.dispatch(copy);
  }

  /** Moves the retries that fell due to the ready queue, and sets a timer for the next. */
  private releaseDue(now: number): void {
    if (this.waiting.length === 0) return;
    let next = Infinity;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const copy = this.waiting[i]!;
      if (copy.dueAt > now) next = Math.min(next, copy.dueAt);
      else {
        this.waiting.splice(i, 1);
        insertInOrder(this.ready, copy);
      }
    }
    clearTimeout(this.dueTimer);
    if (next < Infinity) this.dueTimer = setTimeout(() => this.wake(), next - now).unref();
  }

  private async dispatch(copy: Copy): Promise<void> {
    const { isClosed } = this.settings;
    let settled = false;
    // Settling twice would corrupt the in-flight count; amqplib treats it as a channel error.
    const settle = (apply: () => void) => {
      if (settled) throw new Error(`delivery of ${copy.routingKey} settled twice`);
      settled = true;
      this.inFlight--;
      // Once closed, a stored message stays on disk for the next process, an unstored one with its publisher.
      if (!isClosed()) apply();
      this.wake();
    };
    const delivery: Delivery = {
      routingKey: copy.routingKey,
      payload: copy.payload,
      redelivered: copy.redelivered,
      attempt: copy.attempt,
      ack: () => settle(() => this.settlements.ack(copy)),
      requeue: () => settle(() => insertInOrder(this.ready, Object.assign(copy, { redelivered: true }))),
      retry: async (delayMs, reason) =>
        settle(() => this.waiting.push(this.settlements.retry(copy, delayMs, reason, copy.attempt + 1))),
      postpone: async (delayMs, reason) =>
        settle(() => this.waiting.push(this.settlements.retry(copy, delayMs, reason, copy.attempt))),
      deadLetter: async (reason) => settle(() => this.settlements.deadLetter(copy, reason)),
    };
    try {
      await this.handler(delivery);
    } catch {
      // As over RabbitMQ: a handler that fails without settling gets its message back.
      if (!settled) delivery.requeue();
    }
  }
}

/** Inserts into a queue kept in order; new messages, the common case, go at the end. */
function insertInOrder(queue: Copy[], copy: Copy): void {
  let at = queue.length;
  while (at > 0 && queue[at - 1]!.order > copy.order) at--;
  queue.splice(at, 0, copy);
}
