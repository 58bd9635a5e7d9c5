import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Broker } from '../broker/broker';
import { connectBroker } from '../broker/connect';
import { createTokens } from '../http/auth';
import { HttpError, onError, onNotFound } from '../http/errors';
import { createOrchestrator } from '../saga';
import { createOrdersService } from '../services/orders';
import { createPaymentsService } from '../services/payments';
import { createProductsService } from '../services/products';
import { createUsersService } from '../services/users';
import type { Config } from './config';
import { logger } from './logger';
import type { Service } from './service';

export interface System {
  app: Hono;
  broker: Broker;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The all-in-one process: every service and the orchestrator over one broker, every route on
 * one app. `broker` replaces the configured transport (tests wrap it to inject faults).
 */
export async function startSystem(config: Config, options: { broker?: Broker } = {}): Promise<System> {
  const broker = options.broker ?? (await connectBroker(config, logger));
  const deps = { config, broker, tokens: createTokens(config.jwt), logger };
  const services: Service[] = [
    createUsersService(deps),
    createProductsService(deps),
    createOrdersService(deps),
    createPaymentsService(deps),
    createOrchestrator(deps),
  ];

  const app = new Hono();
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HttpError(413, 'request body is larger than 1 MiB');
      },
    }),
  );
  app.get('/health', (c) => c.json({ status: 'ok', checks: { broker: config.brokerUrl ? 'rabbitmq' : 'in-process' } }));
  for (const service of services) app.route('/', service.routes);
  app.onError(onError);
  app.notFound(onNotFound);

  await Promise.all(services.map((service) => service.start()));

  return {
    app,
    broker,
    async stop() {
      // The broker first, so no delivery reaches a service whose database is closing.
      await broker.close();
      await Promise.all(services.map((service) => service.stop()));
    },
  };
}
