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
  close(): Promise<void>;
}

export interface Delivery {
  readonly routingKey: string;
  readonly payload: string;
  /** True when this delivery was handed out before and not acked. */
  readonly redelivered: boolean;
  ack(): void;
  /** Returns the message to its queue for redelivery. */
  requeue(): void;
  /** Moves the message to the queue's dead-letter queue with the reason attached. */
  deadLetter(reason: string): Promise<void>;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface DeadLetter {
  queue: ServiceName;
  routingKey: string;
  payload: string;
  reason: string;
  deadLetteredAt: string;
}

export interface BrokerOptions {
  /** Unacked deliveries per consumer. */
  prefetch?: number;
  /** Told about a published message that no queue is bound to. */
  onUnroutable?: (routingKey: string) => void;
}
