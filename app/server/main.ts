// First: the settings of .env, before any module reads the environment.
import './env-file';
import { ServiceName } from '../../contracts';
import { prepareDataDir } from '../../db/data-dir';
import { logger } from '../../lib/logger';
import { redactUrlsIn } from '../../lib/redact-url';
import { ConfigError, loadConfig } from './config';
import { startHealthListener } from './health-listener';
import { limitHeapGrowth } from './heap-growth';
import { closeGracefully, listen } from './listen';
import { startMetricsListener } from './metrics-listener';
import { serviceNames, startSystem } from './system';
import { startTelemetry } from './telemetry';

/**
 * `npm start`: every service in one process. `npm run start:<service>` (argument = the
 * service's name): that service alone, which needs RabbitMQ since its peers run elsewhere.
 *
 * What can stop it from starting is checked in order, each a single line and exit code 1: the
 * settings, the data folder, the ports, then the broker; no database file is created before the
 * first three pass.
 */
/** How long a stop waits for the requests in flight before it cuts their connections. */
const STOP_GRACE_MS = 10_000;

limitHeapGrowth();

try {
  const only = process.argv[2];
  const parsedService = only === undefined ? undefined : ServiceName.safeParse(only);
  if (parsedService && !parsedService.success) {
    throw new ConfigError(`no service "${only}": run one of ${serviceNames.join(', ')}, or none for all`);
  }
  const services = parsedService?.success ? [parsedService.data] : serviceNames;
  const config = loadConfig();
  if (only && config.transport === 'in-process') {
    throw new ConfigError(`running ${only} alone needs BROKER_URL: the in-process broker cannot reach other processes`);
  }
  if (config.insecureDefaults.length > 0) {
    logger.warn(
      { settings: config.insecureDefaults },
      'using development defaults for secrets; set them before exposing this',
    );
  }
  try {
    prepareDataDir(config.dataDir);
  } catch (error) {
    throw new ConfigError(`DATA_DIR ${config.dataDir} cannot hold the databases: ${(error as Error).message}`);
  }
  const stopTelemetry = await startTelemetry(
    { tracesUrl: config.otlpTracesUrl, instanceId: config.instanceId, services },
    logger,
  );
  const { server, ready } = await listen(config.port);
  const healthListener =
    config.healthPort === undefined
      ? undefined
      : await startHealthListener({ port: config.healthPort }).catch((error: Error) => {
          server.close();
          throw error;
        });
  const metricsListener =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsListener(config.metricsPort).catch(async (error: Error) => {
          server.close();
          await healthListener?.close();
          throw error;
        });
  const system = await startSystem(config, { services }).catch(async (error: Error) => {
    server.close();
    await healthListener?.close();
    await metricsListener?.close();
    throw error;
  });
  await healthListener?.follow(system.health);
  metricsListener?.serve(system.metrics);
  ready(system.app.fetch);
  const { port } = server.address() as { port: number };
  logger.info(
    {
      port,
      healthPort: healthListener?.port,
      metricsPort: metricsListener?.port,
      services,
      broker: config.transport,
      dataDir: config.dataDir,
    },
    'shop is listening',
  );

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down: no new connections; answering the requests in flight');
    await closeGracefully(server, STOP_GRACE_MS);
    await healthListener?.close();
    await metricsListener?.close();
    // The brokers stop delivering first, so handlers in flight commit before the databases close.
    await system.stop();
    // The last spans, sent before the process goes.
    await stopTelemetry();
    logger.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  // A start-up failure is one line that says what to change, never a stack, nor a URL's password.
  logger.fatal(redactUrlsIn(error instanceof Error ? error.message : String(error)));
  process.exit(1);
}
