import type { SagaDefinition } from '../../contracts/steps';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../app/server/config';
import { logger as processLogger, type Logger } from '../../lib/logger';
import { startSystem, type System } from '../../app/server/system';
import type { Broker } from '../../broker/broker';
import { connectBroker } from '../../broker/connect';
import { Api } from './api';
import type { Observed } from './invariants';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';

export type Transport = 'in-process' | 'rabbitmq';
/**
 * The transports the scenario suite runs on in this vitest project (TEST_TRANSPORTS, set in
 * vitest.config.ts): the embedded broker under `npm test`, RabbitMQ under `npm run test:integration`.
 */
export const transports = (process.env.TEST_TRANSPORTS ?? 'in-process').split(',') as Transport[];
/** The RabbitMQ of the integration tests: the machine's node, or a cluster's nodes separated by commas. */
export const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The broker settings of a system on `transport`: RabbitMQ with the queue type under test (BROKER_QUEUE_TYPE). */
export const brokerSettings = (transport: Transport): Record<string, string> =>
  transport === 'rabbitmq'
    ? { BROKER_URL: rabbitUrl, BROKER_QUEUE_TYPE: process.env.BROKER_QUEUE_TYPE ?? '' }
    : { BROKER_URL: '' };

export type Store = 'sqlite' | 'postgres';
/**
 * Where the services of a test system keep their state in this vitest project (TEST_STORE, set
 * in vitest.config.ts): SQLite files in its data folder, or a scratch PostgreSQL database of its
 * own on the TEST_DATABASE_URL server (`postgres-scenarios`, under `npm run test:postgres`).
 */
export const store: Store = process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export type TestSystem = System &
  Observed & {
    /** The services' broker or, with `perServiceBrokers`, a connection on BROKER_URL for the test's own use. */
    broker: Broker;
    api: Api;
    dataDir: string;
    /** The PostgreSQL database its services keep their state in (a schema each), when not SQLite files in `dataDir`. */
    databaseUrl?: string;
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
  /** The data folder, database, namespace and stock ledger of an earlier system, to start again on them. */
  reuse?: { dataDir: string; database?: ScratchPostgres; namespace: string; received: Map<string, number> };
  /** Each service connects with its own URL (BROKER_URL_<SERVICE> in `env`) instead of sharing `broker`. */
  perServiceBrokers?: boolean;
  /** The saga's step tables, oldest first, instead of this release's. */
  sagaDefinitions?: readonly SagaDefinition[];
}

/**
 * The whole system on a fresh data folder, with `store` postgres a fresh database too and, over
 * RabbitMQ, its own namespace of exchange and queues, all removed again by `stop()`.
 */
export async function startTestSystem(
  transport: Transport,
  {
    wrapBroker = (broker) => broker,
    env = {},
    logger = processLogger,
    reuse,
    perServiceBrokers,
    sagaDefinitions,
  }: TestSystemOptions = {},
): Promise<TestSystem> {
  const dataDir = reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'shop-test-')));
  const namespace = reuse?.namespace ?? `test-${randomUUID().slice(0, 8)}`;
  // A test that names its own database keeps it; otherwise, on postgres, one made for this system.
  const database = env.DATABASE_URL
    ? undefined
    : reuse
      ? reuse.database
      : store === 'postgres'
        ? await scratchPostgres()
        : undefined;
  const databaseUrl = env.DATABASE_URL || database?.url;
  let started: { config: Config; broker: Broker; system: System };
  try {
    started = await start();
  } catch (error) {
    // A fresh database and folder are nobody else's: nothing of a system that did not start is left.
    if (!reuse) {
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
    throw error;
  }
  const { config, broker, system } = started;
  async function start() {
    const config = loadConfig({
      DATA_DIR: dataDir,
      ...brokerSettings(transport),
      BROKER_NAMESPACE: namespace,
      JWT_SECRET: 'test-jwt-secret',
      CARD_TOKEN_KEY: 'test-card-key',
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...env,
    });
    const broker = wrapBroker(await connectBroker(config, logger));
    const system = await startSystem(config, {
      broker: perServiceBrokers ? undefined : broker,
      logger,
      ...(sagaDefinitions ? { sagaDefinitions } : {}),
    });
    return { config, broker, system };
  }
  const api = new Api(system.app, reuse?.received);
  return {
    ...system,
    broker,
    api,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    received: api.received,
    // The settings' own, as `env` may name another vhost (in the URL) and namespace.
    ...(transport === 'rabbitmq'
      ? { rabbit: { url: config.brokerUrl ?? rabbitUrl, namespace: config.brokerNamespace } }
      : {}),
    async restart({ downForMs = 0, ...options } = {}) {
      await system.stop();
      if (perServiceBrokers) await broker.close();
      await new Promise((resolve) => setTimeout(resolve, downForMs));
      try {
        return await startTestSystem(transport, {
          ...options,
          reuse: { dataDir, database, namespace, received: api.received },
        });
      } catch (error) {
        await database?.drop();
        throw error;
      }
    },
    async stop() {
      await system.stop();
      if (perServiceBrokers) await broker.close();
      if (transport === 'rabbitmq') {
        const { deleteTopology } = await import('../../broker/rabbitmq/rabbitmq');
        await deleteTopology(rabbitUrl, namespace);
      }
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
