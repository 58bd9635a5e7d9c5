import type { Config } from '../app/config';
import type { Logger } from '../app/logger';
import type { Broker } from './broker';
import { InProcessBroker } from './in-process';

/** RabbitMQ when BROKER_URL is set, the in-process broker otherwise. */
export async function connectBroker(
  config: Pick<Config, 'brokerUrl' | 'brokerNamespace'>,
  logger: Logger,
): Promise<Broker> {
  const onUnroutable = (routingKey: string) => logger.warn({ routingKey }, 'message had no queue to go to');
  if (!config.brokerUrl) return new InProcessBroker({ onUnroutable });
  // Loaded on demand: the embedded default needs no AMQP client.
  const { RabbitMqBroker } = await import('./rabbitmq');
  return RabbitMqBroker.connect({
    url: config.brokerUrl,
    namespace: config.brokerNamespace,
    onUnroutable,
  });
}
