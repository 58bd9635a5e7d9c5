import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../app/config';
import { logger as processLogger, type Logger } from '../../lib/logger';
import { startSystem, type System } from '../../app/system';
import type { Broker } from '../../broker/broker';
import { connectBroker } from '../../broker/connect';
import { Api } from './api';
import type { Observed } from './invariants';

export type Transport = 'in-process' | 'rabbitmq';
/**
 * The transports the scenario suite runs on in this vitest project (TEST_TRANSPORTS, set in
 * vitest.config.ts): the embedded broker under `npm test`, RabbitMQ under `npm run test:integration`.
 */
export const transports = (process.env.TEST_TRANSPORTS ?? 'in-process').split(',') as Transport[];
export const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export type TestSystem = System &
  Observed & {
    /** The services' broker or, with `perServiceBrokers`, a connection on BROKER_URL for the test's own use. */
    broker: Broker;
    api: Api;
    dataDir: string;
    /** Stops this system and, after `downForMs`, starts a new one on the same data (and RabbitMQ namespace). */
    restart(options?: Omit<TestSystemOptions, 'reuse'> & { downForMs?: number }): Promise<TestSystem>;
  };

export interface TestSystemOptions {
  /** Decorates the transport, to inject faults. */
  wrapBroker?: (broker: Broker) => Broker;
  /** Settings on top of the test defaults (e.g. SAGA_STEP_TIMEOUTS_MS). */
  env?: Record<string, string>;
  /** Replaces the process logger, to capture what is logged. */
  logger?: Logger;
  /** The data folder, namespace and stock ledger of an earlier system, to start again on them. */
  reuse?: { dataDir: string; namespace: string; received: Map<string, number> };
  /** Each service connects with its own URL (BROKER_URL_<SERVICE> in `env`) instead of sharing `broker`. */
  perServiceBrokers?: boolean;
}

/**
 * The whole system on a fresh data folder and, over RabbitMQ, its own namespace of exchange
 * and queues, removed again by `stop()`.
 */
export async function startTestSystem(
  transport: Transport,
  {
    wrapBroker = (broker) => broker,
    env = {},
    logger = processLogger,
    reuse,
    perServiceBrokers,
  }: TestSystemOptions = {},
): Promise<TestSystem> {
  const dataDir = reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'shop-test-')));
  const namespace = reuse?.namespace ?? `test-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    BROKER_URL: transport === 'rabbitmq' ? rabbitUrl : '',
    BROKER_NAMESPACE: namespace,
    JWT_SECRET: 'test-jwt-secret',
    CARD_TOKEN_KEY: 'test-card-key',
    ...env,
  });
  const broker = wrapBroker(await connectBroker(config, logger));
  const system = await startSystem(config, { broker: perServiceBrokers ? undefined : broker, logger });
  const api = new Api(system.app, reuse?.received);
  return {
    ...system,
    broker,
    api,
    dataDir,
    received: api.received,
    // The settings' own, as `env` may name another vhost (in the URL) and namespace.
    ...(transport === 'rabbitmq'
      ? { rabbit: { url: config.brokerUrl ?? rabbitUrl, namespace: config.brokerNamespace } }
      : {}),
    async restart({ downForMs = 0, ...options } = {}) {
      await system.stop();
      if (perServiceBrokers) await broker.close();
      await new Promise((resolve) => setTimeout(resolve, downForMs));
      return startTestSystem(transport, { ...options, reuse: { dataDir, namespace, received: api.received } });
    },
    async stop() {
      await system.stop();
      if (perServiceBrokers) await broker.close();
      if (transport === 'rabbitmq') {
        const { deleteTopology } = await import('../../broker/rabbitmq/rabbitmq');
        await deleteTopology(rabbitUrl, namespace);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
