import { z } from 'zod';
import { Message, type ServiceName } from '../contracts';
import type { Logger } from '../app/logger';
import type { Broker, Delivery } from './broker';
import { subscriptions } from './topology';

export type MessageHandler = (message: Message) => Promise<void> | void;

/** Why a payload is not a message this queue can act on, or null when it is one. */
export function rejectionReason(queue: ServiceName, payload: string): { reason: string } | { message: Message } {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { reason: 'payload is not JSON' };
  }
  const parsed = Message.safeParse(json);
  if (!parsed.success) return { reason: `schema: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}` };
  if (!(subscriptions[queue] as readonly string[]).includes(parsed.data.type)) {
    return { reason: `${queue} does not handle ${parsed.data.type}` };
  }
  return { message: parsed.data };
}

/**
 * Validates every delivery against the contract before the handler sees it. An invalid
 * message is dead-lettered with the reason and never retried; a handler that throws gets
 * one redelivery, then the message is dead-lettered, so one poison message cannot block
 * the queue.
 */
export function consumeMessages(
  broker: Broker,
  queue: ServiceName,
  handle: MessageHandler,
  logger: Logger,
): Promise<void> {
  return broker.consume(queue, async (delivery: Delivery) => {
    const checked = rejectionReason(queue, delivery.payload);
    if ('reason' in checked) {
      logger.warn({ queue, routingKey: delivery.routingKey, reason: checked.reason }, 'dead-lettering invalid message');
      await delivery.deadLetter(checked.reason);
      return;
    }
    try {
      await handle(checked.message);
      delivery.ack();
    } catch (error) {
      const reason = `handler failed: ${error instanceof Error ? error.message : String(error)}`;
      logger.warn(
        { queue, messageId: checked.message.messageId, type: checked.message.type, reason },
        'message handling failed',
      );
      if (delivery.redelivered) await delivery.deadLetter(reason);
      else delivery.requeue();
    }
  });
}
