import { serve } from '@hono/node-server';
import { ServiceName } from '../contracts';
import { ConfigError, loadConfig, type Config } from './config';
import { logger } from '../lib/logger';
import { serviceNames, startSystem } from './system';

/**
 * `npm start`: every service in one process. `npm run start:<service>` (argument = the
 * service's name): that service alone, which needs RabbitMQ since its peers run elsewhere.
 */
const only = process.argv[2];
const services = only === undefined ? serviceNames : [ServiceName.parse(only)];
const config = configOrExit();
if (only && config.transport === 'in-process') {
  logger.fatal(`running ${only} alone needs BROKER_URL: the in-process broker cannot reach other processes`);
  process.exit(1);
}
if (config.insecureDefaults.length > 0) {
  logger.warn(
    { settings: config.insecureDefaults },
    'using development defaults for secrets; set them before exposing this',
  );
}

const system = await startSystem(config, { services });
const server = serve({ fetch: system.app.fetch, port: config.port }, ({ port }) =>
  logger.info({ port, services, broker: config.transport, dataDir: config.dataDir }, 'shop is listening'),
);

async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  server.close();
  await system.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal(error.message);
    process.exit(1);
  }
}
