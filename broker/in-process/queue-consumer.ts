import type { Delivery, DeliveryHandler } from '../broker';
import { assertNever } from '../../lib/assert-never';
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

/** A publish's promise, settled by the broker once none of its copies holds it back. */
export interface Publication {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** How a handler settled a delivery; `retry` stands for `postpone` too, which keeps the attempt as it was. */
export type Settlement =
  | { kind: 'ack' }
  | { kind: 'requeue' }
  | { kind: 'retry'; attempt: number; delayMs: number; reason: string }
  | { kind: 'deadLetter'; reason: string };

/**
 * A settlement that reaches beyond the queue: to the file, and to the publish waiting on the
 * copy. A requeue stays in the queue, and keeps its publish waiting.
 */
export type BrokerSettlement = Exclude<Settlement, { kind: 'requeue' }>;

const ack: Settlement = { kind: 'ack' };
const requeue: Settlement = { kind: 'requeue' };

/**
 * The queue's one state, which its pump and its events (enqueues, settlements, timers, stop)
 * share. While consuming, `ready` and `waiting` hold every copy of the queue not handed out.
 */
type ConsumerState =
  | {
      kind: 'consuming';
      /** Due copies, in order. */
      ready: Copy[];
      /** Pending retries, each until its `dueAt`. */
      waiting: Copy[];
      /** Handed to the handler and not settled yet: at most `prefetch`. */
      inFlight: number;
      /** A pump is scheduled on a later tick. */
      woken: boolean;
      /** Wakes the pump when the first of `waiting` falls due. */
      dueTimer: NodeJS.Timeout | undefined;
    }
  /** The broker closed: nothing is handed out or settled any more. */
  | { kind: 'stopped' };

type Consuming = Extract<ConsumerState, { kind: 'consuming' }>;

/**
 * Hands one queue's due messages to its handler, in order, at most `prefetch` unsettled at once.
 * Enqueues and settlements change the state and wake the pump, which runs on a later tick: it
 * moves the retries that fell due to `ready`, then hands out as many as `prefetch` leaves room for.
 */
export class QueueConsumer {
  private state: ConsumerState = {
    kind: 'consuming',
    ready: [],
    waiting: [],
    inFlight: 0,
    woken: false,
    dueTimer: undefined,
  };

  constructor(
    private readonly handler: DeliveryHandler,
    private readonly prefetch: number,
    private readonly settleBeyond: (copy: Copy, settlement: BrokerSettlement) => void,
  ) {}

  enqueue(copy: Copy): void {
    const state = this.state;
    if (state.kind === 'stopped') return;
    if (copy.dueAt > Date.now()) state.waiting.push(copy);
    else insertInOrder(state.ready, copy);
    this.wake(state);
  }

  /** Once stopped, a stored message stays on disk for the next process, an unstored one with its publisher. */
  stop(): void {
    const state = this.state;
    if (state.kind === 'stopped') return;
    clearTimeout(state.dueTimer);
    this.state = { kind: 'stopped' };
  }

  /** Pumps on a later tick, so a burst of publishes is handed out together. */
  private wake(state: Consuming): void {
    if (state.woken) return;
    state.woken = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    const state = this.state;
    if (state.kind === 'stopped') return;
    state.woken = false;
    this.releaseDue(state, Date.now());
    const free = Math.min(this.prefetch - state.inFlight, state.ready.length);
    if (free <= 0) return; // a settlement or a publish wakes us again
    // Taken out before any handler runs: one that requeues at once is not handed its message again in this turn.
    const handedOut = state.ready.splice(0, free);
    state.inFlight += handedOut.length;
    for (const copy of handedOut) void this.dispatch(copy);
  }

  /** Moves the retries that fell due to `ready`, and sets a timer for the next. */
  private releaseDue(state: Consuming, now: number): void {
    if (state.waiting.length === 0) return;
    let next = Infinity;
    for (let i = state.waiting.length - 1; i >= 0; i--) {
      const copy = state.waiting[i]!;
      if (copy.dueAt > now) next = Math.min(next, copy.dueAt);
      else {
        state.waiting.splice(i, 1);
        insertInOrder(state.ready, copy);
      }
    }
    clearTimeout(state.dueTimer);
    state.dueTimer = next < Infinity ? setTimeout(() => this.wake(state), next - now).unref() : undefined;
  }

  private async dispatch(copy: Copy): Promise<void> {
    const { attempt } = copy;
    let settled = false;
    // Settling twice would corrupt the in-flight count; amqplib treats it as a channel error.
    const settle = (settlement: Settlement) => {
      if (settled) throw new Error(`delivery of ${copy.routingKey} settled twice`);
      settled = true;
      this.settle(copy, settlement);
    };
    const delivery: Delivery = {
      routingKey: copy.routingKey,
      payload: copy.payload,
      redelivered: copy.redelivered,
      attempt,
      ack: () => settle(ack),
      requeue: () => settle(requeue),
      retry: async (delayMs, reason) => settle({ kind: 'retry', attempt: attempt + 1, delayMs, reason }),
      postpone: async (delayMs, reason) => settle({ kind: 'retry', attempt, delayMs, reason }),
      deadLetter: async (reason) => settle({ kind: 'deadLetter', reason }),
    };
    try {
      await this.handler(delivery);
    } catch {
      // As over RabbitMQ: a handler that fails without settling gets its message back.
      if (!settled) delivery.requeue();
    }
  }

  /** A delivery settled: the copy goes back to the queue, or on to the broker, and frees its place in `prefetch`. */
  private settle(copy: Copy, settlement: Settlement): void {
    const state = this.state;
    if (state.kind === 'stopped') return;
    state.inFlight--;
    switch (settlement.kind) {
      case 'ack':
      case 'deadLetter':
        this.settleBeyond(copy, settlement);
        break;
      case 'requeue':
        copy.redelivered = true;
        insertInOrder(state.ready, copy);
        break;
      case 'retry':
        // The copy as it waits for its retry; the broker writes it so (a pending retry outlives any wait).
        copy.attempt = settlement.attempt;
        copy.redelivered = false;
        copy.dueAt = Date.now() + settlement.delayMs;
        this.settleBeyond(copy, settlement);
        state.waiting.push(copy);
        break;
      default:
        assertNever(settlement);
    }
    this.wake(state);
  }
}

/** Inserts into a queue kept in order; new messages, the common case, go at the end. */
function insertInOrder(queue: Copy[], copy: Copy): void {
  let at = queue.length;
  while (at > 0 && queue[at - 1]!.order > copy.order) at--;
  queue.splice(at, 0, copy);
}
