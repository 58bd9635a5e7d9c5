import type { ServiceName } from '../../contracts';
import type { Broker } from '../../broker/broker';
import { connectBroker } from '../../broker/connect';
import { urlVariable } from '../../broker/operator/rabbitmq-permissions';
import { BrokerUnavailable } from '../../broker/rabbitmq/rabbitmq';
import type { Logger } from '../../lib/logger';
import { brokerUrlOf, type Config } from '../../platform/config';

/**
 * The broker of each of `services`. The in-process broker is one, shared. Over RabbitMQ there
 * is a connection per distinct URL: services on BROKER_URL share one, and a service with a URL
 * of its own (BROKER_URL_<SERVICE>) connects as its own user, with only its own permissions.
 */
export async function connectBrokers(
  config: Config,
  services: readonly ServiceName[],
  logger: Logger,
): Promise<Map<ServiceName, Broker>> {
  const address = { ...config, connectTimeoutMs: config.brokerConnectTimeoutMs };
  if (config.transport === 'in-process') {
    const broker = await connectBroker({ ...address, brokerUrl: undefined }, logger);
    return new Map(services.map((service) => [service, broker]));
  }
  const byUrl = new Map<string, Promise<Broker>>();
  const connections = services.map(async (service) => {
    const url = brokerUrlOf(config, service)!;
    // The variable the URL came from, so the one line of a failure says what to change.
    const variable = config.serviceBrokerUrls[service] ? urlVariable(service) : 'BROKER_URL';
    if (!byUrl.has(url)) {
      byUrl.set(
        url,
        connectBroker({ ...address, brokerUrl: url }, logger).catch((error: Error) => {
          throw new BrokerUnavailable(`${variable}: ${error.message}`);
        }),
      );
    }
    return [service, await byUrl.get(url)!] as const;
  });
  return new Map(await Promise.all(connections));
}
