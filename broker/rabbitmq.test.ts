import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from './broker';
import { waitFor } from '../tests/support/wait';
import { brokerContract } from './broker.contract';
import { deleteTopology, RabbitMqBroker, type RabbitMqBrokerOptions } from './rabbitmq';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const uniqueNamespace = () => `test-${randomUUID().slice(0, 8)}`;
const run = promisify(execFile);

brokerContract('RabbitMQ', async (options) => {
  const namespace = uniqueNamespace();
  const broker = await RabbitMqBroker.connect({ ...options, url, namespace });
  return { broker, cleanup: () => deleteTopology(url, namespace) };
});

/** Has the server drop the connection named `connectionName`, as a network failure or broker restart would. */
async function closeConnectionFromServer(connectionName: string): Promise<void> {
  let pid: string | undefined;
  await waitFor(
    async () => {
      // The table format prints pids in the `<node.a.b.c>` syntax close_connection accepts; JSON does not.
      const { stdout } = await run('rabbitmqctl', [
        'list_connections',
        'pid',
        'client_properties',
        '--quiet',
        '--no-table-headers',
      ]);
      const line = stdout.split('\n').find((row) => row.includes(`{"connection_name","${connectionName}"}`));
      pid = line?.split('\t')[0];
      return pid !== undefined;
    },
    { timeoutMs: 15_000, what: `connection ${connectionName} to be listed` },
  );
  await run('rabbitmqctl', ['close_connection', pid!, 'test']);
}

describe('RabbitMQ broker', { timeout: 60_000 }, () => {
  const namespaces: string[] = [];
  const brokers: RabbitMqBroker[] = [];

  async function open(namespace: string, options: Partial<RabbitMqBrokerOptions> = {}): Promise<RabbitMqBroker> {
    if (!namespaces.includes(namespace)) namespaces.push(namespace);
    const broker = await RabbitMqBroker.connect({ ...options, url, namespace });
    brokers.push(broker);
    return broker;
  }

  afterEach(async () => {
    for (const broker of brokers.splice(0)) await broker.close();
    for (const namespace of namespaces.splice(0)) await deleteTopology(url, namespace);
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
    const admin = await connect(url);
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
});
