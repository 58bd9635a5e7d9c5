import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { brokerContract } from '../../broker/conformance/broker.contract';
import { queueCounters } from '../support/rabbitmqctl';
import { deleteTopology, RabbitMqBroker } from '../../broker/rabbitmq/rabbitmq';
import { queueKind } from '../../broker/rabbitmq/topology';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const uniqueNamespace = () => `test-${randomUUID().slice(0, 8)}`;

// Quorum queues need no cluster: on one node they are a cluster of one, with the same semantics.
brokerContract('RabbitMQ with quorum queues', async (options) => {
  const namespace = uniqueNamespace();
  const broker = await RabbitMqBroker.connect({ ...options, url, namespace, queueKind: queueKind('quorum') });
  return { broker, cleanup: () => deleteTopology(url, namespace) };
});

describe('quorum queues', { timeout: 60_000 }, () => {
  const opened: { broker: RabbitMqBroker; namespace: string }[] = [];

  async function open(deliveryLimit: number) {
    const namespace = uniqueNamespace();
    const broker = await RabbitMqBroker.connect({ url, namespace, queueKind: queueKind('quorum', deliveryLimit) });
    opened.push({ broker, namespace });
    return { broker, namespace };
  }

  afterEach(async () => {
    for (const { broker, namespace } of opened.splice(0)) {
      await broker.close();
      await deleteTopology(url, namespace);
    }
  });

  it('declares every queue of the namespace as a quorum queue', async () => {
    const { namespace } = await open(3);
    const queues = await queueCounters('/', ['type'] as const);
    const ours = queues.filter((queue) => queue.name.startsWith(`${namespace}.`));
    expect(ours.length).toBeGreaterThanOrEqual(10);
    expect(new Set(ours.map((queue) => String(queue.type)))).toEqual(new Set(['quorum']));
  });

  it('dead-letters a message that keeps coming back unsettled, with the reason, and replays it by its id', async () => {
    const { broker } = await open(2);
    let deliveries = 0;
    let healed = false;
    const handled: string[] = [];
    await broker.consume('products', async (delivery) => {
      deliveries++;
      // As a message that crashes its consumer: never settled, so back in the queue each time.
      if (!healed) throw new Error('crashed on it');
      handled.push(delivery.payload);
      delivery.ack();
    });
    await broker.publish('ReserveStock', '{"poison":true}');

    await waitFor(async () => (await broker.deadLetters('products')).length === 1, { what: 'the dead letter' });
    const [letter] = await broker.deadLetters('products');
    expect(deliveries).toBe(3); // the first delivery, and two more within the limit
    expect(letter).toMatchObject({ queue: 'products', routingKey: 'ReserveStock', payload: '{"poison":true}' });
    expect(letter!.reason).toMatch(/^delivery limit reached/);
    expect(letter!.id).not.toBe('');
    expect(Date.parse(letter!.deadLetteredAt)).toBeGreaterThan(Date.now() - 60_000);

    healed = true;
    expect(await broker.replayDeadLetter(letter!.id)).toMatchObject({ payload: '{"poison":true}' });
    await waitFor(() => handled.length === 1, { what: 'the replayed message' });
    expect(await broker.deadLetters('products')).toEqual([]);
  });

  it('does not count a postponed delivery towards the limit', async () => {
    const { broker } = await open(1);
    const attempts: number[] = [];
    await broker.consume('payments', async (delivery) => {
      attempts.push(delivery.attempt);
      if (attempts.length <= 3) await delivery.postpone(20, 'database unavailable');
      else delivery.ack();
    });
    await broker.publish('SettlePayment', '{}');
    await waitFor(() => attempts.length === 4, { what: 'three postponements and the delivery that settles it' });
    expect(attempts).toEqual([1, 1, 1, 1]);
    expect(await broker.deadLetters('payments')).toEqual([]);
  });
});
