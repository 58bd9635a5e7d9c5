import type { ServiceName } from '../contracts';
import type { Broker, BrokerOptions, DeadLetter, Delivery, DeliveryHandler } from './broker';
import { consumersOf } from './topology';

interface Queued {
  routingKey: string;
  payload: string;
  redelivered: boolean;
}

/**
 * The embedded transport: the same routing, at-least-once delivery, prefetch, requeue and
 * dead-lettering as RabbitMQ, inside the process. Handlers run on a later tick, never inside
 * `publish`, so a handler that publishes cannot re-enter itself.
 */
export class InProcessBroker implements Broker {
  private readonly queues = new Map<ServiceName, MemoryQueue>();
  private closed = false;

  constructor(private readonly options: BrokerOptions = {}) {}

  async publish(routingKey: string, payload: string): Promise<void> {
    if (this.closed) throw new Error('broker is closed');
    const targets = consumersOf(routingKey);
    if (targets.length === 0) this.options.onUnroutable?.(routingKey);
    for (const name of targets) this.queue(name).enqueue({ routingKey, payload, redelivered: false });
  }

  async consume(queue: ServiceName, handler: DeliveryHandler): Promise<void> {
    this.queue(queue).attach(handler);
  }

  async deadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    return [...this.queue(queue).dead];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues.values()) queue.detach();
  }

  private queue(name: ServiceName): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new MemoryQueue(name, this.options.prefetch ?? 32);
      this.queues.set(name, queue);
    }
    return queue;
  }
}

class MemoryQueue {
  readonly dead: DeadLetter[] = [];
  private readonly ready: Queued[] = [];
  private handler: DeliveryHandler | undefined;
  private unacked = 0;

  constructor(
    private readonly name: ServiceName,
    private readonly prefetch: number,
  ) {}

  enqueue(message: Queued): void {
    this.ready.push(message);
    this.pump();
  }

  attach(handler: DeliveryHandler): void {
    this.handler = handler;
    this.pump();
  }

  detach(): void {
    this.handler = undefined;
  }

  private pump(): void {
    while (this.handler && this.unacked < this.prefetch && this.ready.length > 0) {
      const message = this.ready.shift()!;
      this.unacked++;
      const handler = this.handler;
      setImmediate(() => this.dispatch(handler, message));
    }
  }

  private async dispatch(handler: DeliveryHandler, message: Queued): Promise<void> {
    const delivery = this.delivery(message);
    try {
      await handler(delivery);
    } catch {
      // As over RabbitMQ: a handler that fails without settling gets its message back.
      if (!delivery.settled) delivery.requeue();
    }
  }

  private delivery(message: Queued): Delivery & { readonly settled: boolean } {
    let settled = false;
    // Settling twice would corrupt the unacked count; amqplib treats it as a channel error.
    const settle = (then: () => void) => {
      if (settled) throw new Error(`delivery of ${message.routingKey} settled twice`);
      settled = true;
      this.unacked--;
      then();
      this.pump();
    };
    return {
      get settled() {
        return settled;
      },
      routingKey: message.routingKey,
      payload: message.payload,
      redelivered: message.redelivered,
      ack: () => settle(() => {}),
      requeue: () => settle(() => this.ready.unshift({ ...message, redelivered: true })),
      deadLetter: async (reason) =>
        settle(() =>
          this.dead.push({
            queue: this.name,
            routingKey: message.routingKey,
            payload: message.payload,
            reason,
            deadLetteredAt: new Date().toISOString(),
          }),
        ),
    };
  }
}
