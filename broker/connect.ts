import { join } from 'node:path';
import type { Logger } from '../lib/logger';
import type { Broker } from './broker';
import type { QueueKind } from './rabbitmq/topology';
import { InProcessBroker } from './in-process/in-process';

/** Where the in-process broker keeps its messages. */
export const brokerFile = (dataDir: string) => join(dataDir, 'broker.db');

export interface BrokerAddress {
  /** RabbitMQ's URL, credentials included; undefined for the durable in-process broker under `dataDir`. */
  brokerUrl: string | undefined;
  brokerNamespace: string;
  dataDir: string;
  /** How long to keep trying to reach RabbitMQ before giving up (BrokerUnavailable). */
  connectTimeoutMs?: number;
  /** Classic or quorum queues, on RabbitMQ. */
  queueKind: QueueKind;
}

/**
 * RabbitMQ at `brokerUrl` when it is set, the durable in-process broker under `dataDir`
 * otherwise. Each failed attempt to reach RabbitMQ is logged with the URL (never its password).
 */
export async function connectBroker(address: BrokerAddress, logger: Logger): Promise<Broker> {
  const onUnroutable = (routingKey: string) => logger.warn({ routingKey }, 'message had no queue to go to');
  if (!address.brokerUrl) return new InProcessBroker({ file: brokerFile(address.dataDir), onUnroutable });
  // Loaded on demand: the embedded default needs no AMQP client.
  const { RabbitMqBroker } = await import('./rabbitmq/rabbitmq');
  return RabbitMqBroker.connect({
    url: address.brokerUrl,
    namespace: address.brokerNamespace,
    queueKind: address.queueKind,
    onUnroutable,
    ...(address.connectTimeoutMs !== undefined && { connectTimeoutMs: address.connectTimeoutMs }),
    // The URL comes redacted.
    onConnectRetry: ({ url, attempt, retryInMs, error }) =>
      logger.warn({ url, attempt, retryInMs, reason: error.message }, 'RabbitMQ not reachable; trying its next node'),
  });
}
