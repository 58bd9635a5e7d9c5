import { z } from 'zod';
import { describeProblems, Message, type ServiceName } from '../../contracts';
import { DatabaseUnavailable } from '../../db/database';
import { LeftToOthers } from './left-to-others';
import type { Logger } from '../../lib/logger';
import type { Broker, Delivery } from '../broker';
import { messageLogFields } from './log-fields';
import { retryDelay, type RetryPolicy } from './retry-policy';
import { publisherOf, subscriptions } from '../../contracts/topology';

/** How long a delivery waits before going back to its queue while the database is unavailable. */
const UNAVAILABLE_PAUSE_MS = 1_000;
/** How long a message left to another instance waits before this one may take it again. */
const LEFT_TO_OTHERS_PAUSE_MS = 1_000;

export type MessageHandler = (message: Message) => Promise<void> | void;

/**
 * The message a delivery carries, or why it is not one this queue can act on. The broker
 * vouches only for the routing key (over RabbitMQ, topic permissions let each service's user
 * publish only the types it owns), so the payload must be of that type and name that type's
 * publisher as its producer: a service cannot pass one type off as another.
 */
export function checkDelivery(
  queue: ServiceName,
  { routingKey, payload }: Pick<Delivery, 'routingKey' | 'payload'>,
): { reason: string } | { message: Message } {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { reason: 'payload is not JSON' };
  }
  const parsed = Message.safeParse(json);
  if (!parsed.success) return { reason: schemaProblem(parsed.error) };
  const { type, producer } = parsed.data;
  if (type !== routingKey) return { reason: `a ${type} sent with routing key ${routingKey}` };
  if (producer !== publisherOf(type)) return { reason: `${type} comes from ${publisherOf(type)}, not ${producer}` };
  if (!(subscriptions[queue] as readonly string[]).includes(type))
    return { reason: `${queue} does not handle ${type}` };
  return { message: parsed.data };
}

/**
 * What a consumer did with a delivery: handled (and acked), retried later, put back for another
 * instance, dead-lettered, or refused as invalid.
 */
export type MessageOutcome = 'handled' | 'retried' | 'left_to_others' | 'dead_lettered' | 'invalid';
/** Told what became of each delivery (the metrics), once it is settled. */
export type MessageObserver = (queue: ServiceName, type: string, outcome: MessageOutcome) => void;

/**
 * Validates every delivery against the contract before the handler sees it. An invalid
 * message is dead-lettered with the reason and never retried. A handler that throws is
 * retried after the policy's growing delays (the delivery is settled and a copy scheduled,
 * so the queue's other messages flow meanwhile), and dead-lettered after the last attempt.
 * One that failed because the database is unavailable goes back to its queue, uncounted.
 */
export function consumeMessages(
  broker: Broker,
  queue: ServiceName,
  handle: MessageHandler,
  logger: Logger,
  policy: RetryPolicy,
  observe: MessageObserver = () => {},
): Promise<void> {
  return broker.consume(queue, async (delivery: Delivery) => {
    const checked = checkDelivery(queue, delivery);
    if ('reason' in checked) {
      logger.warn({ queue, routingKey: delivery.routingKey, reason: checked.reason }, 'dead-lettering invalid message');
      await delivery.deadLetter(checked.reason);
      observe(queue, delivery.routingKey, 'invalid');
      return;
    }
    try {
      await handle(checked.message);
      delivery.ack();
      observe(queue, checked.message.type, 'handled');
    } catch (error) {
      if (error instanceof DatabaseUnavailable) {
        // Not the message's fault: back after a pause that keeps this consumer from spinning
        // while the database is away, its attempts untouched, so an outage of any length
        // dead-letters nothing.
        logger.warn(
          { queue, ...messageLogFields(checked.message), err: error },
          'database unavailable; message postponed',
        );
        await delivery.postpone(UNAVAILABLE_PAUSE_MS, 'database unavailable');
        observe(queue, checked.message.type, 'retried');
        return;
      }
      if (error instanceof LeftToOthers) {
        logger.warn(
          { queue, ...messageLogFields(checked.message), reason: error.message },
          'message left to another instance',
        );
        await delivery.postpone(LEFT_TO_OTHERS_PAUSE_MS, error.message);
        observe(queue, checked.message.type, 'left_to_others');
        return;
      }
      const reason = `handler failed: ${describe(error)}`;
      const { type } = checked.message;
      const context = { queue, ...messageLogFields(checked.message), reason };
      // A handler that finds the message itself invalid would fail the same way every time.
      const delayMs = error instanceof z.ZodError ? undefined : retryDelay(policy, delivery.attempt);
      if (delayMs === undefined) {
        logger.error({ ...context, attempts: delivery.attempt }, 'dead-lettering message after its last attempt');
        await delivery.deadLetter(reason);
        observe(queue, type, 'dead_lettered');
      } else {
        logger.warn({ ...context, attempt: delivery.attempt, delayMs }, 'message handling failed; will retry');
        await delivery.retry(delayMs, reason);
        observe(queue, type, 'retried');
      }
    }
  });
}

const schemaProblem = (error: z.ZodError) => `schema: ${describeProblems(error)}`;

function describe(error: unknown): string {
  if (error instanceof z.ZodError) return schemaProblem(error);
  return error instanceof Error ? error.message : String(error);
}
