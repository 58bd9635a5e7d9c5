import { join } from 'node:path';
import { brokerUrlOf, type Config } from '../app/config';
import type { Logger } from '../app/logger';
import type { ServiceName } from '../contracts';
import type { Broker } from './broker';
import { InProcessBroker } from './in-process';

/** Where the in-process broker keeps its messages. */
export const brokerFile = (dataDir: string) => join(dataDir, 'broker.db');

type BrokerConfig = Pick<Config, 'transport' | 'brokerUrl' | 'serviceBrokerUrls' | 'brokerNamespace' | 'dataDir'>;

export interface ConnectOptions {
  /** Fail at once when RabbitMQ cannot be reached instead of waiting for it to come up (a CLI). */
  failFast?: boolean;
}

/** RabbitMQ at BROKER_URL when it is set, the durable in-process broker under DATA_DIR otherwise. */
export async function connectBroker(
  config: Omit<BrokerConfig, 'transport' | 'serviceBrokerUrls'>,
  logger: Logger,
  { failFast = false }: ConnectOptions = {},
): Promise<Broker> {
  if (!config.brokerUrl) return new InProcessBroker({ file: brokerFile(config.dataDir), onUnroutable: warner(logger) });
  return connectRabbitMq(config.brokerUrl, config.brokerNamespace, logger, failFast);
}

/**
 * The broker of each of `services`. The in-process broker is one, shared. Over RabbitMQ there
 * is a connection per distinct URL: services on BROKER_URL share one, and a service with a URL
 * of its own (BROKER_URL_<SERVICE>) connects as its own user, with only its own permissions.
 */
export async function connectBrokers(
  config: BrokerConfig,
  services: readonly ServiceName[],
  logger: Logger,
): Promise<Map<ServiceName, Broker>> {
  if (config.transport === 'in-process') {
    const broker = await connectBroker({ ...config, brokerUrl: undefined }, logger);
    return new Map(services.map((service) => [service, broker]));
  }
  const byUrl = new Map<string, Promise<Broker>>();
  const connections = services.map(async (service) => {
    const url = brokerUrlOf(config, service)!;
    if (!byUrl.has(url)) byUrl.set(url, connectRabbitMq(url, config.brokerNamespace, logger, false));
    return [service, await byUrl.get(url)!] as const;
  });
  return new Map(await Promise.all(connections));
}

async function connectRabbitMq(url: string, namespace: string, logger: Logger, failFast: boolean): Promise<Broker> {
  // Loaded on demand: the embedded default needs no AMQP client.
  const { RabbitMqBroker } = await import('./rabbitmq');
  return RabbitMqBroker.connect({
    url,
    namespace,
    onUnroutable: warner(logger),
    ...(failFast && { connectRetries: 0, reconnectTimeoutMs: 5_000 }),
  });
}

function warner(logger: Logger) {
  return (routingKey: string) => logger.warn({ routingKey }, 'message had no queue to go to');
}
