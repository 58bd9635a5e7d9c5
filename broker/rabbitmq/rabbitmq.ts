import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { ServiceName } from '../../contracts';
import { redactUrls } from '../../lib/redact-url';
import type { Broker, BrokerOptions, DeadLetter, DeliveryHandler } from '../broker';
import { RabbitMqDeadLetters } from './dead-letters';
import { toDelivery, type CopySender } from './delivery';
import { FailoverConnection } from './failover';
import {
  classicQueues,
  declareOrCheck,
  ignore,
  names,
  namespaceTopology,
  retryLevel,
  retryQueueTopology,
  type Names,
  type QueueKind,
} from './topology';
import { nodeUrls } from './urls';

export { deleteTopology } from './topology';

export interface RabbitMqBrokerOptions extends BrokerOptions {
  /** One node's URL, or a cluster's nodes separated by commas. */
  url: string;
  /** Prefix of the exchange and every queue name (default `shop`); tests use a unique one. */
  namespace?: string;
  /** Classic queues (the default) or quorum queues, replicated over a cluster. */
  queueKind?: QueueKind;
  /** How long publish() and the dead-letter calls wait for a lost connection to come back (default 30 s). */
  reconnectTimeoutMs?: number;
  /** How long connect() keeps trying to reach RabbitMQ before it fails (default 30 s). */
  connectTimeoutMs?: number;
  /** Told about each node that did not answer, at start or when reconnecting, before the next try. */
  onConnectRetry?: (failure: { url: string; attempt: number; retryInMs: number; error: Error }) => void;
}

/** RabbitMQ could not be reached, or refused us, at start. The message names the URL, never its password. */
export class BrokerUnavailable extends Error {
  override name = 'BrokerUnavailable';
}

/**
 * Answers that no retry will change: a wrong user or password, a vhost that does not exist or
 * is not allowed, queues that exist with other arguments (another BROKER_QUEUE_TYPE).
 */
const FATAL = /ACCESS[-_]REFUSED|NOT_ALLOWED|ConnectionClose|PRECONDITION[-_]FAILED/;

/** One live connection and the channels opened on it; replaced wholesale on reconnect. */
interface Session {
  model: ChannelModel;
  publisher: ConfirmChannel;
  consumerChannels: Channel[];
  /** The retry queues known to exist on this connection; they are declared on first use. */
  retryQueues: Set<string>;
  lost: boolean;
}

type Consumer = { queue: ServiceName; handler: DeliveryHandler };

/**
 * The RabbitMQ transport, on one node or a cluster's. Every (re)connect, to whichever node
 * answers, runs `establish`, which redeclares the topology and reopens the publisher and
 * every registered consumer. Any channel that dies closes the whole connection, so there is
 * a single recovery path.
 */
export class RabbitMqBroker implements Broker {
  /** The AMQP `connection_name`, so operators (and tests) can find this connection. */
  readonly connectionName: string;
  private readonly names: Names;
  private readonly reconnectTimeoutMs: number;
  private readonly queueKind: QueueKind;
  private connection: FailoverConnection | undefined;
  private session: Session | undefined;
  /** Emits 'session' whenever a (re)connection is ready, for the calls waiting on it. */
  private readonly sessions = new EventEmitter().setMaxListeners(0);
  private readonly stopping = new AbortController();
  private readonly consumers: Consumer[] = [];
  private readonly deadLetterQueues: RabbitMqDeadLetters;
  private closing: Promise<void> | undefined;
  /** Whether a first connection was made: after it, a failure to reconnect is an outage. */
  private connected = false;
  private readonly copies: CopySender = {
    retry: (queue, content, delayMs, headers) => this.sendRetry(queue, content, delayMs, headers),
    deadLetter: (queue, content, properties) =>
      this.publishConfirmed(this.names.serviceExchange(queue), this.names.deadLetterQueue(queue), content, properties),
  };

  private constructor(private readonly options: RabbitMqBrokerOptions) {
    const namespace = options.namespace ?? 'shop';
    this.connectionName = `${namespace}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.names = names(namespace);
    this.reconnectTimeoutMs = options.reconnectTimeoutMs ?? 30_000;
    this.queueKind = options.queueKind ?? classicQueues;
    this.deadLetterQueues = new RabbitMqDeadLetters({
      names: this.names,
      connection: async () => (await this.currentSession(Date.now() + this.reconnectTimeoutMs)).model,
      sendToQueue: (service, content, headers) =>
        this.publishConfirmed(this.names.serviceExchange(service), this.names.queue(service), content, { headers }),
    });
  }

  /**
   * Connects to the first node that answers, going round the nodes with growing pauses for up
   * to `connectTimeoutMs` (RabbitMQ may be booting alongside us). Fails at once when a node
   * refuses the login or the vhost. Throws BrokerUnavailable, naming the URLs and why.
   */
  static async connect(options: RabbitMqBrokerOptions): Promise<RabbitMqBroker> {
    const broker = new RabbitMqBroker(options);
    const where = `RabbitMQ at ${redactUrls(options.url)}`;
    let refused: Error | undefined;
    let lastError: Error | undefined;
    const connection = new FailoverConnection({
      urls: nodeUrls(options.url),
      socketOptions: {
        clientProperties: { connection_name: broker.connectionName },
        // Nagle's algorithm holds a small frame (a publish, an ack) until the last one is acked,
        // and the peer delays its ACK: tens of milliseconds on every hop of a saga.
        noDelay: true,
      },
      setup: (model) => broker.establish(model),
      onFailure: (failure) => {
        lastError = failure.error;
        // Only before the first connection: a refusal then is a wrong setting, not an outage.
        if (!broker.connected && FATAL.test(failure.error.message)) {
          refused = failure.error;
          void connection.close();
        } else options.onConnectRetry?.({ ...failure, url: redactUrls(failure.url) });
      },
    });
    broker.connection = connection;
    connection.start();
    const timeoutMs = options.connectTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not reachable within ${timeoutMs / 1000} s (${lastError?.message ?? 'no answer'})`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([connection.waitForConnect(), gaveUp]);
      broker.connected = true;
      return broker;
    } catch (error) {
      await connection.close();
      const why = refused ? refusal(refused) : (error as Error).message;
      throw new BrokerUnavailable(`${where}: ${why}`);
    } finally {
      clearTimeout(timer);
    }
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
    return this.deadLetterQueues.list(queue);
  }

  countDeadLetters(queue: ServiceName): Promise<number> {
    return this.deadLetterQueues.count(queue);
  }

  replayDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.deadLetterQueues.replay(id);
  }

  replayDeadLetters(queue: ServiceName): Promise<DeadLetter[]> {
    return this.deadLetterQueues.replayAll(queue);
  }

  purgeDeadLetters(queue: ServiceName): Promise<number> {
    return this.deadLetterQueues.purge(queue);
  }

  isConnected(): boolean {
    return this.session !== undefined && !this.closed;
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

  /** Runs on every new connection, before it counts as up. */
  private async establish(model: ChannelModel): Promise<void> {
    await declareOrCheck(model, namespaceTopology(this.names, { retryQueues: false, kind: this.queueKind }));
    const publisher = await model.createConfirmChannel();
    const session: Session = { model, publisher, consumerChannels: [], retryQueues: new Set(), lost: false };
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
    const delivery = toDelivery(channel, consumer.queue, message, this.copies, this.names);
    try {
      await consumer.handler(delivery);
    } catch {
      // The handler owns retries; one that fails without settling gets the message back later.
      if (!delivery.settled) delivery.requeue();
    }
  }

  /** Parks the message in the retry queue of its delay's level, declared on first use. */
  private sendRetry(service: ServiceName, content: Buffer, delayMs: number, headers: Record<string, unknown>) {
    const level = retryLevel(delayMs);
    const queue = this.names.retryQueue(service, level);
    return this.publishConfirmed(
      this.names.serviceExchange(service),
      queue,
      content,
      { headers, expiration: String(Math.max(0, Math.round(delayMs))) },
      async (session) => {
        if (session.retryQueues.has(queue)) return;
        await declareOrCheck(session.model, retryQueueTopology(this.names, service, level, this.queueKind));
        session.retryQueues.add(queue);
      },
    );
  }

  private async publishConfirmed(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Pick<Options.Publish, 'headers' | 'messageId' | 'expiration'> = {},
    prepare: (session: Session) => Promise<void> = async () => {},
  ) {
    const deadline = Date.now() + this.reconnectTimeoutMs;
    for (;;) {
      const session = await this.currentSession(deadline);
      try {
        await prepare(session);
        return await new Promise<void>((resolve, reject) => {
          // Every copy gets an id: one RabbitMQ dead-letters itself keeps it, and is found by it.
          const options = {
            messageId: randomUUID(),
            ...properties,
            persistent: true,
            mandatory: true,
            contentType: 'application/json',
          };
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
}

function refusal(error: Error): string {
  if (/ACCESS[-_]REFUSED/.test(error.message)) return 'login refused: check the user and password';
  if (/PRECONDITION[-_]FAILED/.test(error.message)) {
    const why = /inequivalent arg [^:]*/.exec(error.message)?.[0] ?? error.message;
    return `the queues exist with other arguments (${why}): a queue's type cannot change in place; docs/quorum-queues.md says how to switch BROKER_QUEUE_TYPE`;
  }
  return 'connection refused by the server: check that the vhost exists and the user may use it';
}
