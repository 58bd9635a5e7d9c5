import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../app/config';
import { logger } from '../../app/logger';
import { startSystem, type System } from '../../app/system';
import type { Broker } from '../../broker/broker';
import { connectBroker } from '../../broker/connect';
import { Api } from './api';

export type Transport = 'in-process' | 'rabbitmq';
export const transports: Transport[] = ['in-process', 'rabbitmq'];
export const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface TestSystem extends System {
  api: Api;
  dataDir: string;
}

/**
 * The whole system on a fresh data folder and, over RabbitMQ, its own namespace of exchange
 * and queues, removed again by `stop()`. `wrapBroker` decorates the transport to inject faults.
 */
export async function startTestSystem(
  transport: Transport,
  { wrapBroker = (broker: Broker) => broker } = {},
): Promise<TestSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-test-'));
  const namespace = `test-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    BROKER_URL: transport === 'rabbitmq' ? rabbitUrl : '',
    BROKER_NAMESPACE: namespace,
    JWT_SECRET: 'test-jwt-secret',
    CARD_TOKEN_KEY: 'test-card-key',
  });
  const broker = wrapBroker(await connectBroker(config, logger));
  const system = await startSystem(config, { broker });
  return {
    ...system,
    api: new Api(system.app),
    dataDir,
    async stop() {
      await system.stop();
      if (transport === 'rabbitmq') {
        const { deleteTopology } = await import('../../broker/rabbitmq');
        await deleteTopology(rabbitUrl, namespace);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
