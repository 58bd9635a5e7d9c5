import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import type { ServiceName } from '../../contracts';
import type { Delivery } from '../broker';
import { HEADER, type Names } from './topology';

/** Where a delivery's copies go: each resolves once RabbitMQ has confirmed the copy. */
export interface CopySender {
  retry(queue: ServiceName, content: Buffer, delayMs: number, headers: Record<string, unknown>): Promise<void>;
  deadLetter(
    queue: ServiceName,
    content: Buffer,
    properties: Pick<Options.Publish, 'headers' | 'messageId'>,
  ): Promise<void>;
}

/** A message received on `channel` from `queue`'s queue, as the port's Delivery. */
export function toDelivery(
  channel: Channel,
  queue: ServiceName,
  message: ConsumeMessage,
  send: CopySender,
  topology: Names,
): Delivery & { readonly settled: boolean } {
  let settled = false;
  const settle = () => {
    if (settled) throw new Error(`delivery of ${message.fields.routingKey} settled twice`);
    settled = true;
  };
  /** Acks only once the copy is confirmed: the message is never lost in between, at worst sent twice. */
  const forward = async (copy: Promise<void>) => {
    try {
      await copy;
    } catch (error) {
      onLiveChannel(() => channel.nack(message, false, true));
      throw error;
    }
    onLiveChannel(() => channel.ack(message));
  };
  // Retried and replayed copies arrive through the service's own exchange, keyed by queue name.
  // Only there are the adapter's headers believed: only this service (and an operator) may
  // write to that exchange, whereas anyone who may publish to the events exchange could set them.
  const copied = message.fields.exchange === topology.serviceExchange(queue);
  const headers = (copied && message.properties.headers) || {};
  const routingKey = String(headers[HEADER.routingKey] ?? message.fields.routingKey);
  const attempt = Number(headers[HEADER.attempt] ?? 1);
  /** A copy in the retry queue of the delay, which comes back through the service's exchange. */
  const later = async (delayMs: number, reason: string, nextAttempt: number) => {
    settle();
    await forward(
      send.retry(queue, message.content, delayMs, {
        [HEADER.routingKey]: routingKey,
        [HEADER.attempt]: nextAttempt,
        [HEADER.retryReason]: reason,
      }),
    );
  };
  return {
    get settled() {
      return settled;
    },
    routingKey,
    payload: message.content.toString('utf8'),
    redelivered: message.fields.redelivered,
    attempt,
    ack: () => {
      settle();
      onLiveChannel(() => channel.ack(message));
    },
    requeue: () => {
      settle();
      onLiveChannel(() => channel.nack(message, false, true));
    },
    retry: (delayMs, reason) => later(delayMs, reason, attempt + 1),
    postpone: (delayMs, reason) => later(delayMs, reason, attempt),
    deadLetter: async (reason) => {
      settle();
      await forward(
        send.deadLetter(queue, message.content, {
          messageId: randomUUID(),
          headers: {
            [HEADER.routingKey]: routingKey,
            [HEADER.attempt]: attempt,
            [HEADER.reason]: reason,
            [HEADER.deadLetteredAt]: new Date().toISOString(),
          },
        }),
      );
    },
  };
}

/** Once its channel is gone the broker has requeued the message itself, so there is nothing left to settle. */
function onLiveChannel(settle: () => void): void {
  try {
    settle();
  } catch {
    // amqplib throws IllegalOperationError on a closed channel.
  }
}
