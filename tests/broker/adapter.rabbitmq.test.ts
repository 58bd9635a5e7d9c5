import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../broker/broker';
import { closeConnection, closeConnectionFromServer, findConnection } from './transports';
import { waitFor } from '../../lib/wait';
import { brokerContract } from '../../broker/conformance/broker.contract';
import { deleteTopology, RabbitMqBroker, type RabbitMqBrokerOptions } from '../../broker/rabbitmq/rabbitmq';
import { queueKind } from '../../broker/rabbitmq/topology';
import { nodeUrls } from '../../broker/rabbitmq/urls';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The queue type under test: classic on the machine's node, quorum on the cluster (test:cluster). */
const kind = queueKind(process.env.BROKER_QUEUE_TYPE === 'quorum' ? 'quorum' : 'classic');
const uniqueNamespace = () => `test-${randomUUID().slice(0, 8)}`;

brokerContract('RabbitMQ', async (options) => {
  const namespace = uniqueNamespace();
  const broker = await RabbitMqBroker.connect({ ...options, url, namespace, queueKind: kind });
  return { broker, cleanup: () => deleteTopology(url, namespace) };
});

describe('RabbitMQ broker', { timeout: 60_000 }, () => {
  const namespaces: string[] = [];
  const brokers: RabbitMqBroker[] = [];

  async function open(namespace: string, options: Partial<RabbitMqBrokerOptions> = {}): Promise<RabbitMqBroker> {
    if (!namespaces.includes(namespace)) namespaces.push(namespace);
    const broker = await RabbitMqBroker.connect({ ...options, url, namespace, queueKind: kind });
    brokers.push(broker);
    return broker;
  }

  afterEach(async () => {
    for (const broker of brokers.splice(0)) await broker.close();
    for (const namespace of namespaces.splice(0)) await deleteTopology(url, namespace);
  });

  it('connects to a node of a list that answers, saying which did not', async () => {
    const failures: { url: string; attempt: number }[] = [];
    const namespace = uniqueNamespace();
    namespaces.push(namespace);
    const broker = await RabbitMqBroker.connect({
      url: `amqp://guest:secret@127.0.0.1:1,${url}`,
      namespace,
      queueKind: kind,
      onConnectRetry: ({ url: failed, attempt }) => failures.push({ url: failed, attempt }),
    });
    brokers.push(broker);
    expect(broker.isConnected()).toBe(true);
    // It begins at a node at random: the dead one first, or not at all.
    expect([[], [{ url: 'amqp://guest:***@127.0.0.1:1', attempt: 1 }]]).toContainEqual(failures);
    const seen: string[] = [];
    await broker.consume('products', async (delivery) => {
      seen.push(delivery.payload);
      delivery.ack();
    });
    await broker.publish('ReserveStock', 'through the second node');
    await waitFor(() => seen.length === 1, { what: 'the delivery' });
  });

  it('keeps messages published before any consumer existed (durable queues declared at connect)', async () => {
    const namespace = uniqueNamespace();
    const publisher = await open(namespace);
    await publisher.publish('ReserveStock', '{"n":1}');
    await publisher.close();

    const consumer = await open(namespace);
    const seen: Delivery[] = [];
    await consumer.consume('products', async (delivery) => {
      seen.push(delivery);
      delivery.ack();
    });
    await waitFor(() => seen.length > 0, { what: 'the early message' });
    expect(seen.map((d) => [d.routingKey, d.payload])).toEqual([['ReserveStock', '{"n":1}']]);
  });

  it('keeps dead letters across connections', async () => {
    const namespace = uniqueNamespace();
    const first = await open(namespace);
    const seen: Delivery[] = [];
    await first.consume('payments', async (delivery) => {
      seen.push(delivery);
      await delivery.deadLetter('bad card');
    });
    await first.publish('SettlePayment', '{"n":1}');
    await waitFor(async () => (await first.deadLetters('payments')).length > 0, { what: 'the dead letter' });
    await first.close();

    const second = await open(namespace);
    expect(await second.deadLetters('payments')).toMatchObject([
      { queue: 'payments', routingKey: 'SettlePayment', payload: '{"n":1}', reason: 'bad card' },
    ]);
  });

  it('recovers from a channel error by reconnecting and redeclaring the topology', async () => {
    const namespace = uniqueNamespace();
    const broker = await open(namespace);
    const seen: string[] = [];
    await broker.consume('products', async (delivery) => {
      seen.push(delivery.payload);
      delivery.ack();
    });
    const admin = await connect(nodeUrls(url)[0]!);
    await (await admin.createChannel()).deleteExchange(`${namespace}.events`);
    await admin.close();

    // Publishing to the vanished exchange kills the channel; the publish is retried once it is back.
    await broker.publish('ReserveStock', 'after the exchange vanished');
    await waitFor(() => seen.length > 0, { timeoutMs: 20_000, what: 'the delivery' });
    expect(seen).toEqual(['after the exchange vanished']);
  });

  it('reconnects after the server drops the connection, with its consumers and publishing restored', async () => {
    const namespace = uniqueNamespace();
    const broker = await open(namespace);
    const other = await open(namespace);
    const seen: Delivery[] = [];
    await broker.consume('products', async (delivery) => {
      seen.push(delivery);
      // Left unacked so the broker must hand it out again after the connection is gone.
      if (delivery.payload !== 'held' || delivery.redelivered) delivery.ack();
    });
    await broker.publish('ReserveStock', 'held');
    await waitFor(() => seen.length === 1, { what: 'the held message' });

    await closeConnectionFromServer(broker.connectionName);
    // Issued while the connection is down: it waits for the reconnection instead of failing.
    await broker.publish('ReserveStock', 'from the reconnected broker');
    await other.publish('ReserveStock', 'from another connection');
    await waitFor(() => seen.length >= 4, { timeoutMs: 20_000, what: 'deliveries after the reconnection' });

    expect(() => seen[0]!.ack(), 'settling a delivery from the lost channel').not.toThrow();
    expect(seen.map((d) => [d.payload, d.redelivered])).toEqual([
      ['held', false],
      ['held', true],
      ['from the reconnected broker', false],
      ['from another connection', false],
    ]);
  });

  it('keeps a scheduled retry on the server through the loss of the connection', async () => {
    const broker = await open(uniqueNamespace());
    const connection = await findConnection(broker.connectionName);
    let scheduled = false;
    const seen: Array<{ delivery: Delivery; at: number }> = [];
    await broker.consume('products', async (delivery) => {
      seen.push({ delivery, at: Date.now() });
      if (delivery.attempt > 1) return delivery.ack();
      // Long enough for rabbitmqctl to drop the connection first, even on a busy machine.
      await delivery.retry(5_000, 'try again later');
      scheduled = true;
    });
    await broker.publish('ReserveStock', 'retry me');
    await waitFor(() => scheduled, { what: 'the retry to be scheduled' });
    await closeConnection(connection);
    const lostAt = Date.now();

    await waitFor(() => seen.length >= 2, { what: 'the retry' });
    expect(seen.map(({ delivery: d }) => [d.payload, d.routingKey, d.attempt, d.redelivered])).toEqual([
      ['retry me', 'ReserveStock', 1, false],
      ['retry me', 'ReserveStock', 2, false],
    ]);
    expect(seen[1]!.at, 'the retry was still pending when the connection was lost').toBeGreaterThan(lostAt);
  });
});
