import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { logger } from './logger';
import { startSystem } from './system';

const config = loadConfig();
if (config.insecureDefaults.length > 0) {
  logger.warn({ settings: config.insecureDefaults }, 'using development defaults for secrets; set them before exposing this');
}

const system = await startSystem(config);
const server = serve({ fetch: system.app.fetch, port: config.port }, ({ port }) =>
  logger.info({ port, broker: config.brokerUrl ? 'rabbitmq' : 'in-process', dataDir: config.dataDir }, 'shop is listening'),
);

async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  server.close();
  await system.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
