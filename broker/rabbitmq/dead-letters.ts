import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import type { ServiceName } from '../../contracts';
import type { DeadLetter } from '../broker';
import { HEADER, withChannel, type Names } from './topology';
import { queueNames } from '../../contracts/topology';

export interface DeadLetterTransport {
  names: Names;
  /** The live connection, waiting for a reconnection if need be. */
  connection(): Promise<ChannelModel>;
  /** Publishes to `service`'s own queue through its own exchange; resolves once confirmed. */
  sendToQueue(service: ServiceName, content: Buffer, headers: Record<string, unknown>): Promise<void>;
}

/**
 * Reads, replays and purges the dead-letter queues. A dead letter is found by its
 * `messageId`, given when it was dead-lettered. Reading takes messages without acking them
 * and closing the channel puts back, in order, whatever was not replayed; a replayed letter
 * is acked only after its copy is confirmed, so nothing is lost (a crash in between sends
 * it twice, which the consumer's inbox absorbs).
 */
export class RabbitMqDeadLetters {
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly transport: DeadLetterTransport) {}

  list(queue: ServiceName): Promise<DeadLetter[]> {
    return this.onChannel(async (reading) => {
      const letters: DeadLetter[] = [];
      for await (const message of reading.messages(queue)) letters.push(toDeadLetter(queue, message));
      return letters;
    });
  }

  /**
   * A passive declaration of the dead-letter queue, which says how many messages it holds ready:
   * one round trip, whatever it holds. In turn with the other operations, since the letters one
   * of them holds unacked are not counted.
   */
  count(queue: ServiceName): Promise<number> {
    return this.onChannel(async ({ channel }) => {
      const { messageCount } = await channel.checkQueue(this.transport.names.deadLetterQueue(queue));
      return messageCount;
    });
  }

  replay(id: string): Promise<DeadLetter | undefined> {
    return this.onChannel(async (reading) => {
      for (const queue of queueNames) {
        // The whole queue is taken, so that what goes back keeps its order whether the queue
        // puts a returned message back in its place (classic) or at its tail (quorum).
        let found: GetMessage | undefined;
        for await (const message of reading.messages(queue)) if (message.properties.messageId === id) found ??= message;
        if (found) return this.requeue(reading, queue, found);
      }
      return undefined;
    });
  }

  replayAll(queue: ServiceName): Promise<DeadLetter[]> {
    return this.onChannel(async (reading) => {
      // Only what is there now: a replayed message that fails again lands at the tail, with a new id.
      const deadLetterQueue = this.transport.names.deadLetterQueue(queue);
      const { messageCount } = await reading.channel.checkQueue(deadLetterQueue);
      const replayed: DeadLetter[] = [];
      for (let message; replayed.length < messageCount && (message = await reading.get(queue));) {
        replayed.push(await this.requeue(reading, queue, message));
      }
      return replayed;
    });
  }

  purge(queue: ServiceName): Promise<number> {
    return this.onChannel(async ({ channel }) => {
      const { messageCount } = await channel.purgeQueue(this.transport.names.deadLetterQueue(queue));
      return messageCount;
    });
  }

  /**
   * Messages held unacked by one operation are invisible to another, so operations run one at
   * a time. What an operation took and did not replay goes back one message at a time, in the
   * order it was taken: a channel closed with several unacked gives them back in no set order.
   */
  private onChannel<T>(use: (reading: Reading) => Promise<T>): Promise<T> {
    const run = this.serial.then(async () =>
      withChannel(await this.transport.connection(), async (channel) => {
        const reading = new Reading(channel, this.transport.names);
        try {
          return await use(reading);
        } finally {
          reading.putBack();
        }
      }),
    );
    this.serial = run.catch(() => {});
    return run;
  }

  /** A fresh delivery: without an attempt header it starts again at 1. */
  private async requeue(reading: Reading, queue: ServiceName, message: GetMessage): Promise<DeadLetter> {
    const letter = toDeadLetter(queue, message);
    await this.transport.sendToQueue(queue, message.content, { [HEADER.routingKey]: letter.routingKey });
    reading.ack(message);
    return letter;
  }
}

/** One operation's reading of the dead-letter queues: what it took, to ack or to put back. */
class Reading {
  private readonly taken: GetMessage[] = [];

  constructor(
    readonly channel: Channel,
    private readonly names: Names,
  ) {}

  async get(queue: ServiceName): Promise<GetMessage | undefined> {
    const message = await this.channel.get(this.names.deadLetterQueue(queue));
    if (!message) return undefined;
    this.taken.push(message);
    return message;
  }

  async *messages(queue: ServiceName): AsyncGenerator<GetMessage> {
    for (let message = await this.get(queue); message; message = await this.get(queue)) yield message;
  }

  ack(message: GetMessage): void {
    this.taken.splice(this.taken.indexOf(message), 1);
    this.channel.ack(message);
  }

  putBack(): void {
    for (const message of this.taken.splice(0)) this.channel.nack(message, false, true);
  }
}

/** What RabbitMQ writes on a message it dead-letters itself (a quorum queue's delivery limit). */
interface Death {
  reason?: string;
  'routing-keys'?: string[];
  /** Seconds since the epoch, as amqplib decodes an AMQP timestamp. */
  time?: { value: number };
}

function toDeadLetter(queue: ServiceName, message: GetMessage): DeadLetter {
  const header = (name: string) => message.properties.headers?.[name] as unknown;
  const death = (header('x-death') as Death[] | undefined)?.[0];
  return {
    id: String(message.properties.messageId ?? ''),
    queue,
    routingKey: String(header(HEADER.routingKey) ?? death?.['routing-keys']?.[0] ?? ''),
    payload: message.content.toString('utf8'),
    reason: String(header(HEADER.reason) ?? (death ? brokerReason(death) : '')),
    attempts: Number(header(HEADER.attempt) ?? header('x-delivery-count') ?? 1),
    deadLetteredAt: String(
      header(HEADER.deadLetteredAt) ?? (death?.time ? new Date(death.time.value * 1000).toISOString() : ''),
    ),
  };
}

function brokerReason(death: Death): string {
  if (death.reason === 'delivery_limit') {
    return 'delivery limit reached: the message kept coming back unsettled (x-delivery-limit), as one that crashes its consumer does';
  }
  return `dead-lettered by RabbitMQ: ${death.reason ?? 'no reason given'}`;
}
