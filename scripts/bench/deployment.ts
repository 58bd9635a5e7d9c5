import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceName } from '../../contracts';
import { makeDatabase } from '../../db/databases';
import type { QueueType } from './ceiling';
import { Client, setUpShop, type Shop } from './load';
import { ProductProcess } from './product';
import { waitSettled } from './results';
import { postgresData, sqliteData, type ShopData } from './shop-data';
import { serviceNames } from '../../contracts/services';

export const modes = ['embedded', 'rabbitmq', 'rabbitmq-per-service'] as const;
export type Mode = (typeof modes)[number];

/** Where the services keep their state: a SQLite file each, or a schema each on one PostgreSQL database. */
export const stores = ['sqlite', 'postgres'] as const;
export type Store = (typeof stores)[number];

/**
 * What the RabbitMQ modes run on: `single`, one node (--rabbitmq) with classic queues, the
 * product's default; `cluster`, a cluster's nodes (--cluster) with quorum queues.
 */
export const brokerVariants = ['single', 'cluster'] as const;
export type BrokerVariant = (typeof brokerVariants)[number];

export interface Broker {
  variant: BrokerVariant;
  /** `single+classic` or `cluster+quorum`. */
  name: string;
  /** BROKER_URL: one node, or the cluster's nodes separated by commas. */
  url: string;
  /** BROKER_QUEUE_TYPE. */
  queueType: QueueType;
}

export function brokerOf(variant: BrokerVariant, urls: { rabbitmq: string; cluster: string }): Broker {
  const queueType = variant === 'single' ? 'classic' : 'quorum';
  return {
    variant,
    name: `${variant}+${queueType}`,
    url: variant === 'single' ? urls.rabbitmq : urls.cluster,
    queueType,
  };
}

/** The shop as one mode runs it, on its own data folder (and RabbitMQ namespace), stocked for the run. */
export interface Deployment {
  mode: Mode;
  dataDir: string;
  /** The shop's databases, to read what it did. */
  data: ShopData;
  /** The running processes: one all-in-one, or one per service, each `instances` times. */
  processes: ProductProcess[];
  client: Client;
  shop: Shop;
  /** Kills `process` with SIGKILL and starts it again on the same port and data. */
  crash(process: ProductProcess): Promise<void>;
}

export interface DeploymentOptions {
  /** BROKER_URL: one node, or a cluster's nodes separated by commas. */
  rabbitmq: string;
  /** The services' queues (BROKER_QUEUE_TYPE); classic unless told. */
  queueType?: QueueType;
  /** Where each process writes its CPU profile, if anywhere. */
  profileDir?: string;
  /** Settings on top of the bench's own. */
  env?: Record<string, string>;
  /** Each process also serves GET /health on a port of its own (HEALTH_PORT). */
  healthPorts?: boolean;
  store?: Store;
  /** The PostgreSQL server the bench makes its database on, as a user that may create one. */
  postgres?: string;
  /** How many processes run each part (the all-in-one, or each service); more than one needs RabbitMQ. */
  instances?: number;
}

/**
 * Starts the shop in `mode` as child processes, sets up a customer and a product with as much
 * stock as any run could sell, runs `use`, then stops everything and removes what it made.
 */
export async function withDeployment<T>(
  mode: Mode,
  {
    rabbitmq,
    queueType = 'classic',
    profileDir,
    env: extra = {},
    healthPorts = false,
    store = 'sqlite',
    instances = 1,
    postgres = 'postgres://postgres@127.0.0.1:5432/postgres',
  }: DeploymentOptions,
  use: (deployment: Deployment) => Promise<T>,
): Promise<T> {
  if (mode === 'embedded' && instances > 1) throw new Error('several instances need RabbitMQ: not the embedded mode');
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-'));
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const database = store === 'postgres' ? await makeDatabase(postgres, 'saga_bench_') : undefined;
  const env = {
    DATA_DIR: dataDir,
    JWT_SECRET: randomUUID(),
    CARD_TOKEN_KEY: randomUUID(),
    ADMIN_PASSWORD: randomUUID(),
    ...(mode === 'embedded' ? {} : { BROKER_URL: rabbitmq, BROKER_NAMESPACE: namespace, BROKER_QUEUE_TYPE: queueType }),
    ...(database && { DATABASE_URL: database.url }),
    ...extra,
  };
  const data = database ? postgresData(database.url) : sqliteData(dataDir);
  const start = (name: string, service?: ServiceName, port?: number) =>
    ProductProcess.start(name, { ...env, INSTANCE_ID: name }, { service, profileDir, port, healthPort: healthPorts });
  const parts: readonly (ServiceName | undefined)[] = mode === 'rabbitmq-per-service' ? serviceNames : [undefined];
  const copies = Array.from({ length: instances }, (_, i) => i + 1);
  const nameOf = (service: ServiceName | undefined, copy: number) =>
    `${service ?? 'all-in-one'}${instances > 1 ? `-${copy}` : ''}`;
  // All at once: instances of a service starting together meet at its migrations' lock.
  const processes = await Promise.all(
    copies.flatMap((copy) => parts.map((service) => start(nameOf(service, copy), service))),
  );
  // The load uses sign-up and sign-in, the catalogue and orders; each goes to the process that serves it.
  // Each request to the next instance of its part in turn, as a load balancer would.
  let turn = 0;
  const route = (path: string) => {
    const service = path.startsWith('/auth') ? 'users' : path.startsWith('/products') ? 'products' : 'orders';
    const serving = processes.filter((p) =>
      p.name.startsWith(mode === 'rabbitmq-per-service' ? service : 'all-in-one'),
    );
    return serving[turn++ % serving.length]!.url;
  };
  const client = new Client(route);
  try {
    const shop = await setUpShop(client, 1_000_000, env.ADMIN_PASSWORD);
    await waitSettled(data);
    return await use({
      mode,
      dataDir,
      data,
      processes,
      client,
      shop,
      async crash(process) {
        await process.kill();
        const index = processes.indexOf(process);
        const service = serviceNames.find((name) => process.name.startsWith(name));
        processes[index] = await start(
          process.name,
          mode === 'rabbitmq-per-service' ? service : undefined,
          process.port,
        );
      },
    });
  } finally {
    client.close();
    // A process writes its profile as it exits.
    await Promise.all(processes.map((p) => p.stop()));
    if (mode !== 'embedded') {
      const { deleteTopology } = await import('../../broker/rabbitmq/rabbitmq');
      await deleteTopology(rabbitmq, namespace);
    }
    await data.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
