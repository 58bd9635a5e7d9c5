import type { ServiceName } from '../contracts';

/**
 * The messaging port. Payloads are serialized JSON strings on both transports, so the
 * in-process broker exercises the same parse-and-validate path as RabbitMQ.
 */
export interface Broker {
  /** Publishes to every queue bound to `routingKey`; resolves once the broker has it (confirm). */
  publish(routingKey: string, payload: string): Promise<void>;
  /** Starts delivering the queue's messages to `handler`, at most `prefetch` unacked at once. */
  consume(queue: ServiceName, handler: DeliveryHandler): Promise<void>;
  /** What the queue's dead-letter queue holds, oldest first, without removing it. */
  deadLetters(queue: ServiceName): Promise<DeadLetter[]>;
  /** How many dead letters the queue holds, counted without reading them (the metrics ask at every scrape). */
  countDeadLetters(queue: ServiceName): Promise<number>;
  /**
   * Moves one dead letter back to the queue it came from, as a fresh delivery (attempt 1);
   * undefined when no dead letter has that id.
   */
  replayDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Replays every dead letter the queue holds when called (not those dead-lettered meanwhile). */
  replayDeadLetters(queue: ServiceName): Promise<DeadLetter[]>;
  /** Deletes the queue's dead letters; resolves to how many there were. */
  purgeDeadLetters(queue: ServiceName): Promise<number>;
  /** Whether messages can flow right now (for GET /health); false while reconnecting or once closed. */
  isConnected(): boolean;
  close(): Promise<void>;
}

export interface Delivery {
  readonly routingKey: string;
  readonly payload: string;
  /** True when this delivery was handed out before and not acked. */
  readonly redelivered: boolean;
  /** 1 on the first delivery, one more after each `retry` (a requeue or redelivery does not count). */
  readonly attempt: number;
  ack(): void;
  /** Returns the message to its queue for redelivery. */
  requeue(): void;
  /**
   * Settles this delivery and has the message delivered again, to this queue only, after
   * `delayMs`, with `attempt` one higher. The queue's other messages flow meanwhile; a pending
   * retry is as durable as a queued message. `reason` is kept with it for whoever inspects it.
   */
  retry(delayMs: number, reason: string): Promise<void>;
  /**
   * As `retry`, but `attempt` stays as it is: for a failure that is not the message's (its
   * service's database away). Unlike `requeue`, it waits, and a quorum queue does not count it
   * as a delivery towards the message's delivery limit.
   */
  postpone(delayMs: number, reason: string): Promise<void>;
  /** Moves the message to the queue's dead-letter queue with the reason and its attempt count. */
  deadLetter(reason: string): Promise<void>;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface DeadLetter {
  /** Names the letter for as long as it waits: what `replayDeadLetter` takes. */
  id: string;
  queue: ServiceName;
  routingKey: string;
  payload: string;
  reason: string;
  /** How many times a handler was given the message (its last delivery's `attempt`). */
  attempts: number;
  deadLetteredAt: string;
}

export interface BrokerOptions {
  /** Unacked deliveries per consumer. */
  prefetch?: number;
  /** Told about a published message that no queue is bound to. */
  onUnroutable?: (routingKey: string) => void;
}
