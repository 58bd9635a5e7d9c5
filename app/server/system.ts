import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { BlankEnv } from 'hono/types';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Broker } from '../../broker/broker';
import { auditRoutes } from '../operator/audit/routes';
import { connectBrokers } from './brokers';
import { accessLog } from '../../http/access-log';
import { limitBody } from '../../http/body-limit';
import { tracing } from '../../http/tracing';
import { createTokens } from '../../http/auth';
import { HttpError, onError, onNotFound } from '../../http/errors';
import { DatabaseUnavailable } from '../../db/database';
import { createOrchestrator, orchestratorOf } from '../../saga/runtime/orchestrator';
import type { SagaDefinition } from '../../contracts/steps';
import { createOrdersService } from '../../services/orders';
import { createPaymentsService } from '../../services/payments';
import { createProductsService } from '../../services/products';
import { createUsersService } from '../../services/users';
import type { ServiceName } from '../../contracts';
import type { Health } from '../../contracts/rest';
import type { Config } from './config';
import { deadLetterRoutes } from '../operator/dead-letters';
import { mountDocs } from '../operator/docs';
import { probeRoutes, summarizeHealth } from '../operator/health';
import { mountMetrics } from '../operator/metrics-route';
import { mountUi } from '../operator/ui';
import { holdSoleShop } from './sole-shop';
import { createMetrics, type MetricsPage } from '../../platform/metrics';
import { logger, type Logger } from '../../lib/logger';
import type { Service, ServiceDeps } from '../../platform/service';

export interface System {
  app: Hono;
  /** What GET /health answers: the broker and each service's database, outbox and admission. */
  health(): Promise<Health>;
  /** What GET /metrics answers, for METRICS_PORT. */
  metrics(): Promise<MetricsPage>;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

const factories: Record<ServiceName, (deps: ServiceDeps) => Promise<Service>> = {
  users: createUsersService,
  products: createProductsService,
  orders: createOrdersService,
  payments: createPaymentsService,
  orchestrator: createOrchestrator,
};
export const serviceNames = Object.keys(factories) as ServiceName[];

export interface SystemOptions {
  /** One broker for every service, instead of the configured ones (tests wrap it to inject faults). */
  broker?: Broker;
  /** The services this process runs; all of them by default (the all-in-one process). */
  services?: readonly ServiceName[];
  /** Replaces the process logger (tests capture what is logged). */
  logger?: Logger;
  /** The saga's step tables, oldest first, instead of this release's (tests of a table change). */
  sagaDefinitions?: readonly SagaDefinition[];
}

/** Starts services, each on its broker, with all their routes on one app. */
export async function startSystem(config: Config, options: SystemOptions = {}): Promise<System> {
  const log = options.logger ?? logger;
  const names = options.services ?? serviceNames;
  const soleShop = await holdSoleShop(config);
  const brokerOf = options.broker
    ? new Map(names.map((name) => [name, options.broker!]))
    : await connectBrokers(config, names, log);
  const brokers = [...new Set(brokerOf.values())];
  const tokens = createTokens(config.jwt);
  const metrics = createMetrics();
  for (const [name, broker] of brokerOf) metrics.deadLetters(name, broker);
  const services = await Promise.all(
    names.map((name) => {
      const factory =
        name === 'orchestrator' && options.sagaDefinitions ? orchestratorOf(options.sagaDefinitions) : factories[name];
      return factory({ config, broker: brokerOf.get(name)!, tokens, logger: log, metrics });
    }),
  );

  const app = new OpenAPIHono<BlankEnv>();
  // The request id comes first, so every answer (errors included) carries it in X-Request-Id.
  app.use(requestId());
  app.use(accessLog(log));
  app.use(tracing());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // After the handler: the route pattern (`/orders/:id`) is the one that answered.
    metrics.request(c.req.method, c.req.routePath, c.res.status, (performance.now() - started) / 1000);
  });
  app.use(secureHeaders());
  app.use(limitBody(MAX_BODY_BYTES));
  const health = async () => {
    const reports = await Promise.all(services.map(async (service) => [service.name, await service.health()] as const));
    return summarizeHealth(
      { connected: brokers.every((broker) => broker.isConnected()), transport: config.transport },
      Object.fromEntries(reports),
    );
  };
  app.route('/', probeRoutes(health));
  mountMetrics(app, metrics.scrape, { ownPort: config.metricsPort !== undefined });
  for (const service of services) app.route('/', service.routes);
  app.route('/', deadLetterRoutes(brokerOf, tokens));
  const audit = auditRoutes(services, tokens);
  if (audit) app.route('/', audit);
  // The web view goes with the sagas it shows.
  if (names.includes('orchestrator')) mountUi(app);
  mountDocs(app);
  const answerError = onError(log);
  // The database away is not a fault of the request: 503, to be tried again shortly.
  app.onError((error, c) =>
    answerError(
      error instanceof DatabaseUnavailable
        ? new HttpError(503, 'the database is unavailable; try again shortly', 'unavailable', undefined, {
            'Retry-After': '1',
          })
        : error,
      c,
    ),
  );
  app.notFound(onNotFound);

  await Promise.all(services.map((service) => service.start()));

  return {
    app,
    health,
    metrics: metrics.scrape,
    async stop() {
      // The brokers first, so no delivery reaches a service whose database is closing.
      await Promise.all(brokers.map((broker) => broker.close()));
      await Promise.all(services.map((service) => service.stop()));
      await soleShop.release();
    },
  };
}
