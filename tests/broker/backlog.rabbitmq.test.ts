import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../broker/broker';
import { envelope } from '../../contracts';
import { queueNames } from '../../contracts/topology';
import { waitFor } from '../../lib/wait';
import { brokerBacklog, type Backlog, type BrokerLocation } from '../support/broker-backlog';
import { rabbitUrl } from '../support/system';
import { openTestBroker, type TestBroker } from './transports';

const none = Object.fromEntries(queueNames.map((service) => [service, 0]));

describe('the broker backlog over RabbitMQ', () => {
  let opened: TestBroker;
  afterEach(() => opened.dispose());

  it('counts a delivery a consumer holds unacknowledged as waiting, and nothing once it is acked', async () => {
    opened = await openTestBroker('rabbitmq');
    const location: BrokerLocation = { rabbit: { url: rabbitUrl, namespace: opened.env.BROKER_NAMESPACE! } };
    let held: Delivery | undefined;
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // A handler at work: it has the message and has not acknowledged it yet.
    await opened.broker.consume('users', async (delivery) => {
      held = delivery;
      await finished;
      delivery.ack();
    });
    const orderId = randomUUID();
    const message = envelope(
      { type: 'VerifyUser', data: { orderId, userId: randomUUID() } },
      { producer: 'orchestrator', correlationId: orderId, causationId: null },
    );
    try {
      await opened.broker.publish('VerifyUser', JSON.stringify(message));
      await waitFor(() => held !== undefined, { what: 'the delivery' });

      // A quorum queue reports its counts every tick, a classic one at once.
      let during: Backlog | undefined;
      await waitFor(async () => (during = await brokerBacklog(location)).waiting.users === 1, {
        timeoutMs: 10_000,
        what: 'the held delivery to be counted',
      });
      expect(during!.waiting, 'a delivery in progress is waiting').toEqual({ ...none, users: 1 });
      expect(during!.deadLettered).toEqual(none);
    } finally {
      finish();
    }
    // An ack has no answer over AMQP: the queue learns of it a moment later.
    let after: Backlog | undefined;
    await waitFor(
      async () => {
        after = await brokerBacklog(location);
        return after.waiting.users === 0;
      },
      { timeoutMs: 10_000, what: 'the ack to reach the queue' },
    );
    expect(after).toEqual({ waiting: none, deadLettered: none });
  });
});
