import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type Message } from '../../contracts';
import { logger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { paymentsSqlite } from '../../services/payments/sqlite/store';
import { decorate } from '../support/decorate';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import type { Broker } from '../../broker/broker';
import { InProcessBroker } from '../../broker/in-process/in-process';
import { Endpoint } from '../../broker/messaging/endpoint';
import { defaultRetryPolicy } from '../../broker/messaging/retry-policy';

// Any service's database carries the inbox and outbox; payments' will do.

describe('an endpoint’s inbox', () => {
  let dir: string;
  let database: ScratchDatabase<typeof paymentsSqlite>;
  let broker: InProcessBroker;
  /** What the endpoint published: its replies. */
  let replies: Message[];
  /** The commands its handler was given. */
  let handled: Message[];
  let endpoint: Endpoint<'payments'>;

  async function listen() {
    const recorded = decorate<object>(broker, {
      async publish(routingKey: string, payload: string) {
        replies.push(JSON.parse(payload) as Message);
        await broker.publish(routingKey, payload);
      },
    }) as Broker;
    endpoint = new Endpoint('payments', 'payments-1', database, recorded, logger, defaultRetryPolicy);
    await endpoint.listen(async (_store, message) => {
      handled.push(message);
      return [{ type: 'PaymentRefunded', data: { orderId: message.data.orderId, paymentId: null, amountCents: 0 } }];
    });
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'endpoint-'));
    database = scratchDatabase(paymentsSqlite);
    broker = new InProcessBroker({ file: join(dir, 'broker.db') });
    replies = [];
    handled = [];
    await listen();
  });
  afterEach(async () => {
    await endpoint.stop();
    await broker.close();
    await database.remove();
    await rm(dir, { recursive: true, force: true });
  });

  const refund = () => {
    const orderId = randomUUID();
    return envelope(
      { type: 'RefundPayment', data: { orderId } },
      { producer: 'orchestrator', correlationId: orderId, causationId: null },
    );
  };
  /** Delivers `messages`, then one more, and waits until that one is answered: the others were taken before it. */
  async function deliver(...messages: Message[]) {
    const last = refund();
    for (const message of [...messages, last]) await broker.publish(message.type, JSON.stringify(message));
    await waitFor(() => replies.some((reply) => reply.causationId === last.messageId), { what: 'the last reply' });
  }
  const answersTo = (command: Message) => replies.filter((reply) => reply.causationId === command.messageId);

  it('hands a message to its handler once and answers it once, however often it is delivered', async () => {
    const command = refund();
    await deliver(command, command, command);
    expect(handled.filter((message) => message.messageId === command.messageId)).toHaveLength(1);
    expect(answersTo(command)).toHaveLength(1);
  });

  it('remembers what it handled across a restart', async () => {
    const command = refund();
    await deliver(command);
    await endpoint.stop();
    await broker.close();
    broker = new InProcessBroker({ file: join(dir, 'broker.db') });
    await listen();
    await deliver(command);
    expect(handled.filter((message) => message.messageId === command.messageId)).toHaveLength(1);
    expect(answersTo(command)).toHaveLength(1);
  });

  it('takes the same command under a new id as a new message', async () => {
    const command = refund();
    const resent = { ...command, messageId: randomUUID() };
    await deliver(command, resent);
    expect(handled.map((message) => message.messageId)).toEqual(
      expect.arrayContaining([command.messageId, resent.messageId]),
    );
    expect(answersTo(resent)).toHaveLength(1);
  });
});
