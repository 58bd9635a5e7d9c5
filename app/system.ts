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
import type { ServiceName } from '../contracts';
import type { Config } from './config';
import { logger } from './logger';
import type { Service, ServiceDeps } from './service';

export interface System {
  app: Hono;
  broker: Broker;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

const factories: Record<ServiceName, (deps: ServiceDeps) => Service> = {
  users: createUsersService,
  products: createProductsService,
  orders: createOrdersService,
  payments: createPaymentsService,
  orchestrator: createOrchestrator,
};
export const serviceNames = Object.keys(factories) as ServiceName[];

export interface SystemOptions {
  /** Replaces the configured transport (tests wrap it to inject faults). */
  broker?: Broker;
  /** The services this process runs; all of them by default (the all-in-one process). */
  services?: readonly ServiceName[];
}

/** Starts services over one broker with all their routes on one app. */
export async function startSystem(config: Config, options: SystemOptions = {}): Promise<System> {
  const broker = options.broker ?? (await connectBroker(config, logger));
  const deps = { config, broker, tokens: createTokens(config.jwt), logger };
  const services = (options.services ?? serviceNames).map((name) => factories[name](deps));

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
