import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type GetMessage,
} from 'amqplib';
import type { RecoveringChannelModel } from 'amqplib';
import type { ServiceName } from '../contracts';
import type { Broker, BrokerOptions, DeadLetter, Delivery, DeliveryHandler } from './broker';
import { queueNames, subscriptions } from './topology';

export interface RabbitMqBrokerOptions extends BrokerOptions {
  url: string;
  /** Prefix of the exchange and every queue name (default `shop`); tests use a unique one. */
  namespace?: string;
  /** How long publish() and deadLetters() wait for a lost connection to come back (default 30 s). */
  reconnectTimeoutMs?: number;
}

const REASON = 'x-dead-letter-reason';
const DEAD_LETTERED_AT = 'x-dead-lettered-at';
const ORIGINAL_ROUTING_KEY = 'x-original-routing-key';

function names(namespace: string) {
  return {
    exchange: `${namespace}.events`,
    queue: (service: ServiceName) => `${namespace}.${service}`,
    deadLetterQueue: (service: ServiceName) => `${namespace}.${service}.dlq`,
  };
}

// Failures surface through promise rejections and the 'close' events; an 'error' event
// without a listener would instead crash the process.
const ignore = () => {};

/** One live connection and the channels opened on it; replaced wholesale on reconnect. */
interface Session {
  model: ChannelModel;
  publisher: ConfirmChannel;
  consumerChannels: Channel[];
  lost: boolean;
}

type Consumer = { queue: ServiceName; handler: DeliveryHandler };

/**
 * The RabbitMQ transport. amqplib's opt-in `recovery` reconnects the connection but not its
 * channels, so every (re)connect runs `establish`, which redeclares the topology and reopens
 * the publisher and every registered consumer. Any channel that dies closes the whole
 * connection, so there is a single recovery path.
 */
export class RabbitMqBroker implements Broker {
  /** The AMQP `connection_name`, so operators (and tests) can find this connection. */
  readonly connectionName: string;
  private readonly names: ReturnType<typeof names>;
  private readonly reconnectTimeoutMs: number;
  private connection: RecoveringChannelModel | undefined;
  private session: Session | undefined;
  /** Emits 'session' whenever a (re)connection is ready, for the calls waiting on it. */
  private readonly sessions = new EventEmitter().setMaxListeners(0);
  private readonly stopping = new AbortController();
  private readonly consumers: Consumer[] = [];
  private peeking: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: RabbitMqBrokerOptions) {
    const namespace = options.namespace ?? 'shop';
    this.connectionName = `${namespace}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.names = names(namespace);
    this.reconnectTimeoutMs = options.reconnectTimeoutMs ?? 30_000;
  }

  static async connect(options: RabbitMqBrokerOptions): Promise<RabbitMqBroker> {
    const broker = new RabbitMqBroker(options);
    // Not waiting inside connect() lets the error listener be attached before the first attempt.
    const connection = await connect(options.url, {
      clientProperties: { connection_name: broker.connectionName },
      recovery: {
        waitForConnect: false,
        maxDelay: 5_000,
        // Enough to wait for a RabbitMQ booting alongside us, without hanging startup forever.
        initialMaxRetries: 10,
        setup: (model: ChannelModel) => broker.establish(model),
      },
    });
    connection.on('error', ignore);
    broker.connection = connection;
    await connection.waitForConnect();
    return broker;
  }

  async publish(routingKey: string, payload: string): Promise<void> {
    await this.publishConfirmed(this.names.exchange, routingKey, Buffer.from(payload, 'utf8'));
  }

  async consume(queue: ServiceName, handler: DeliveryHandler): Promise<void> {
    if (this.closed) throw new Error('broker is closed');
    const consumer: Consumer = { queue, handler };
    this.consumers.push(consumer);
    const session = this.session;
    if (!session) return; // the reconnection in progress starts it
    try {
      await this.startConsumer(consumer, session);
    } catch (error) {
      if (session.lost) return; // the next session starts it
      this.consumers.splice(this.consumers.indexOf(consumer), 1);
      throw error;
    }
  }

  deadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    // Messages held by one peek are invisible to another, so peeks run one at a time.
    const peek = this.peeking.then(() => this.peekDeadLetters(queue));
    this.peeking = peek.catch(ignore);
    return peek;
  }

  close(): Promise<void> {
    this.stopping.abort();
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private get closed(): boolean {
    return this.stopping.signal.aborted;
  }

  private async shutdown(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) {
      // Closing a consumer channel returns its unacked deliveries to the queue.
      for (const channel of [...session.consumerChannels, session.publisher]) await channel.close().catch(ignore);
    }
    await this.connection?.close();
  }

  /** Runs after every successful (re)connect, before amqplib reports the connection ready. */
  private async establish(model: ChannelModel): Promise<void> {
    await declareTopology(model, this.names);
    const publisher = await model.createConfirmChannel();
    const session: Session = { model, publisher, consumerChannels: [], lost: false };
    model.once('close', () => this.markLost(session));
    this.watch(publisher, session);
    publisher.on('return', (message: ConsumeMessage) => {
      try {
        this.options.onUnroutable?.(message.fields.routingKey);
      } catch {
        // A faulty callback must not take the publishing channel down with it.
      }
    });
    // Consumers registered while this loop awaits are appended to the array, so it reaches them too.
    for (const consumer of this.consumers) await this.startConsumer(consumer, session);
    this.session = session;
    this.sessions.emit('session', session);
  }

  private markLost(session: Session): void {
    session.lost = true;
    if (this.session === session) this.session = undefined;
  }

  private watch(channel: Channel, session: Session): void {
    channel.on('error', ignore);
    channel.on('close', () => {
      this.markLost(session);
      if (!this.closed) session.model.close().catch(ignore);
    });
  }

  private async startConsumer(consumer: Consumer, session: Session): Promise<void> {
    const channel = await session.model.createChannel();
    session.consumerChannels.push(channel);
    this.watch(channel, session);
    await channel.prefetch(this.options.prefetch ?? 32);
    await channel.consume(this.names.queue(consumer.queue), (message) => {
      // null means the server cancelled the consumer (its queue was deleted); reconnecting redeclares it.
      if (message === null) session.model.close().catch(ignore);
      else void this.dispatch(channel, consumer, message);
    });
  }

  private async dispatch(channel: Channel, consumer: Consumer, message: ConsumeMessage): Promise<void> {
    let settled = false;
    const settle = () => {
      if (settled) throw new Error(`delivery of ${message.fields.routingKey} settled twice`);
      settled = true;
    };
    const delivery: Delivery = {
      routingKey: message.fields.routingKey,
      payload: message.content.toString('utf8'),
      redelivered: message.fields.redelivered,
      ack: () => {
        settle();
        onLiveChannel(() => channel.ack(message));
      },
      requeue: () => {
        settle();
        onLiveChannel(() => channel.nack(message, false, true));
      },
      deadLetter: async (reason) => {
        settle();
        try {
          await this.publishConfirmed('', this.names.deadLetterQueue(consumer.queue), message.content, {
            [REASON]: reason,
            [DEAD_LETTERED_AT]: new Date().toISOString(),
            [ORIGINAL_ROUTING_KEY]: message.fields.routingKey,
          });
        } catch (error) {
          onLiveChannel(() => channel.nack(message, false, true)); // not dead-lettered, so not lost either
          throw error;
        }
        onLiveChannel(() => channel.ack(message));
      },
    };
    try {
      await consumer.handler(delivery);
    } catch {
      // The handler owns retries; one that fails without settling gets the message back later.
      if (!settled) delivery.requeue();
    }
  }

  private async publishConfirmed(
    exchange: string,
    routingKey: string,
    content: Buffer,
    headers?: Record<string, string>,
  ) {
    const deadline = Date.now() + this.reconnectTimeoutMs;
    for (;;) {
      const session = await this.currentSession(deadline);
      try {
        return await new Promise<void>((resolve, reject) => {
          const options = { persistent: true, mandatory: true, contentType: 'application/json', headers };
          session.publisher.publish(exchange, routingKey, content, options, (error) =>
            error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
          );
        });
      } catch (error) {
        // A confirm lost with the connection may or may not have reached the broker: sending
        // again keeps delivery at-least-once (consumers deduplicate). A nack is final.
        if (!session.lost || this.closed || Date.now() >= deadline) throw error;
      }
    }
  }

  private async currentSession(deadline: number): Promise<Session> {
    if (this.closed) throw new Error('broker is closed');
    if (this.session) return this.session;
    const timeout = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
    try {
      const [session] = await once(this.sessions, 'session', {
        signal: AbortSignal.any([timeout, this.stopping.signal]),
      });
      return session as Session;
    } catch {
      throw new Error(this.closed ? 'broker is closed' : `RabbitMQ unreachable for ${this.reconnectTimeoutMs} ms`);
    }
  }

  /** Gets every message without acking, then closes the channel, which requeues them in order. */
  private async peekDeadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    const { model } = await this.currentSession(Date.now() + this.reconnectTimeoutMs);
    const channel = await model.createChannel();
    channel.on('error', ignore);
    const deadLetterQueue = this.names.deadLetterQueue(queue);
    const letters: DeadLetter[] = [];
    try {
      for (let message = await channel.get(deadLetterQueue); message; message = await channel.get(deadLetterQueue)) {
        letters.push(toDeadLetter(queue, message));
      }
    } finally {
      await channel.close().catch(ignore);
    }
    return letters;
  }
}

/** Once its channel is gone the broker has requeued the message itself, so there is nothing left to settle. */
function onLiveChannel(settle: () => void): void {
  try {
    settle();
  } catch {
    // amqplib throws IllegalOperationError on a closed channel.
  }
}

function toDeadLetter(queue: ServiceName, message: GetMessage): DeadLetter {
  const header = (name: string) => String(message.properties.headers?.[name] ?? '');
  const payload = message.content.toString('utf8');
  return {
    queue,
    routingKey: header(ORIGINAL_ROUTING_KEY),
    payload,
    reason: header(REASON),
    deadLetteredAt: header(DEAD_LETTERED_AT),
  };
}

async function declareTopology(model: ChannelModel, topology: ReturnType<typeof names>): Promise<void> {
  const channel = await model.createChannel();
  channel.on('error', ignore);
  try {
    await channel.assertExchange(topology.exchange, 'topic', { durable: true });
    for (const service of queueNames) {
      await channel.assertQueue(topology.queue(service), { durable: true });
      await channel.assertQueue(topology.deadLetterQueue(service), { durable: true });
      for (const type of subscriptions[service])
        await channel.bindQueue(topology.queue(service), topology.exchange, type);
    }
  } finally {
    await channel.close().catch(ignore);
  }
}

/** Deletes the exchange and every queue of `namespace`, messages included (test cleanup). */
export async function deleteTopology(url: string, namespace: string): Promise<void> {
  const topology = names(namespace);
  const model = await connect(url);
  try {
    const channel = await model.createChannel();
    channel.on('error', ignore);
    for (const service of queueNames) {
      await channel.deleteQueue(topology.queue(service));
      await channel.deleteQueue(topology.deadLetterQueue(service));
    }
    await channel.deleteExchange(topology.exchange);
  } finally {
    await model.close();
  }
}
