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
    return this.onChannel(async (channel) => {
      const letters: DeadLetter[] = [];
      for await (const message of this.messages(channel, queue)) letters.push(toDeadLetter(queue, message));
      return letters;
    });
  }

  replay(id: string): Promise<DeadLetter | undefined> {
    return this.onChannel(async (channel) => {
      for (const queue of queueNames) {
        for await (const message of this.messages(channel, queue)) {
          if (message.properties.messageId === id) return this.requeue(channel, queue, message);
        }
      }
      return undefined;
    });
  }

  replayAll(queue: ServiceName): Promise<DeadLetter[]> {
    return this.onChannel(async (channel) => {
      // Only what is there now: a replayed message that fails again lands at the tail, with a new id.
      const deadLetterQueue = this.transport.names.deadLetterQueue(queue);
      const { messageCount } = await channel.checkQueue(deadLetterQueue);
      const replayed: DeadLetter[] = [];
      for (let message; replayed.length < messageCount && (message = await channel.get(deadLetterQueue));) {
        replayed.push(await this.requeue(channel, queue, message));
      }
      return replayed;
    });
  }

  purge(queue: ServiceName): Promise<number> {
    return this.onChannel(async (channel) => {
      const { messageCount } = await channel.purgeQueue(this.transport.names.deadLetterQueue(queue));
      return messageCount;
    });
  }

  /** Messages held unacked by one operation are invisible to another, so operations run one at a time. */
  private onChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T> {
    const run = this.serial.then(async () => withChannel(await this.transport.connection(), use));
    this.serial = run.catch(() => {});
    return run;
  }

  private async *messages(channel: Channel, queue: ServiceName): AsyncGenerator<GetMessage> {
    const deadLetterQueue = this.transport.names.deadLetterQueue(queue);
    for (let message = await channel.get(deadLetterQueue); message; message = await channel.get(deadLetterQueue)) {
      yield message;
    }
  }

  /** A fresh delivery: without an attempt header it starts again at 1. */
  private async requeue(channel: Channel, queue: ServiceName, message: GetMessage): Promise<DeadLetter> {
    const letter = toDeadLetter(queue, message);
    await this.transport.sendToQueue(queue, message.content, { [HEADER.routingKey]: letter.routingKey });
    channel.ack(message);
    return letter;
  }
}

function toDeadLetter(queue: ServiceName, message: GetMessage): DeadLetter {
  const header = (name: string) => message.properties.headers?.[name] as unknown;
  return {
    id: String(message.properties.messageId ?? ''),
    queue,
    routingKey: String(header(HEADER.routingKey) ?? ''),
    payload: message.content.toString('utf8'),
    reason: String(header(HEADER.reason) ?? ''),
    attempts: Number(header(HEADER.attempt) ?? 1),
    deadLetteredAt: String(header(HEADER.deadLetteredAt) ?? ''),
  };
}
