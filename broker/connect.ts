import { join } from 'node:path';
import type { Config } from '../app/config';
import type { Logger } from '../app/logger';
import type { Broker } from './broker';
import { InProcessBroker } from './in-process';

/** Where the in-process broker keeps its messages. */
export const brokerFile = (dataDir: string) => join(dataDir, 'broker.db');

export interface ConnectOptions {
  /** Fail at once when RabbitMQ cannot be reached instead of waiting for it to come up (a CLI). */
  failFast?: boolean;
}

/** RabbitMQ when BROKER_URL is set, the durable in-process broker under DATA_DIR otherwise. */
export async function connectBroker(
  config: Pick<Config, 'brokerUrl' | 'brokerNamespace' | 'dataDir'>,
  logger: Logger,
  { failFast = false }: ConnectOptions = {},
): Promise<Broker> {
  const onUnroutable = (routingKey: string) => logger.warn({ routingKey }, 'message had no queue to go to');
  if (!config.brokerUrl) return new InProcessBroker({ file: brokerFile(config.dataDir), onUnroutable });
  // Loaded on demand: the embedded default needs no AMQP client.
  const { RabbitMqBroker } = await import('./rabbitmq');
  return RabbitMqBroker.connect({
    url: config.brokerUrl,
    namespace: config.brokerNamespace,
    onUnroutable,
    ...(failFast && { connectRetries: 0, reconnectTimeoutMs: 5_000 }),
  });
}
