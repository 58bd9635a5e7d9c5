import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceName } from '../../contracts';
import { Client, setUpShop, type Shop } from './load';
import { ProductProcess } from './product';
import { waitSettled } from './results';

export const modes = ['embedded', 'rabbitmq', 'rabbitmq-per-service'] as const;
export type Mode = (typeof modes)[number];

const services: ServiceName[] = ['users', 'products', 'orders', 'payments', 'orchestrator'];

/** The shop as one mode runs it, on its own data folder (and RabbitMQ namespace), stocked for the run. */
export interface Deployment {
  mode: Mode;
  dataDir: string;
  /** The running processes: one all-in-one, or one per service. */
  processes: ProductProcess[];
  client: Client;
  shop: Shop;
  /** Kills `process` with SIGKILL and starts it again on the same port and data. */
  crash(process: ProductProcess): Promise<void>;
}

export interface DeploymentOptions {
  rabbitmq: string;
  /** Where each process writes its CPU profile, if anywhere. */
  profileDir?: string;
  /** Settings on top of the bench's own. */
  env?: Record<string, string>;
  /** Each process also serves GET /health on a port of its own (HEALTH_PORT). */
  healthPorts?: boolean;
}

/**
 * Starts the shop in `mode` as child processes, sets up a customer and a product with as much
 * stock as any run could sell, runs `use`, then stops everything and removes what it made.
 */
export async function withDeployment<T>(
  mode: Mode,
  { rabbitmq, profileDir, env: extra = {}, healthPorts = false }: DeploymentOptions,
  use: (deployment: Deployment) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-'));
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const env = {
    DATA_DIR: dataDir,
    JWT_SECRET: randomUUID(),
    CARD_TOKEN_KEY: randomUUID(),
    ADMIN_PASSWORD: randomUUID(),
    ...(mode === 'embedded' ? {} : { BROKER_URL: rabbitmq, BROKER_NAMESPACE: namespace }),
    ...extra,
  };
  const start = (name: string, service?: ServiceName, port?: number) =>
    ProductProcess.start(name, env, { service, profileDir, port, healthPort: healthPorts });
  const processes =
    mode === 'rabbitmq-per-service'
      ? await Promise.all(services.map((service) => start(service, service)))
      : [await start('all-in-one')];
  // The load uses sign-up and sign-in, the catalogue and orders; each goes to the process that serves it.
  const route = (path: string) => {
    const name = path.startsWith('/auth') ? 'users' : path.startsWith('/products') ? 'products' : 'orders';
    return (processes.find((p) => p.name === name) ?? processes[0]!).url;
  };
  const client = new Client(route);
  try {
    const shop = await setUpShop(client, 1_000_000, env.ADMIN_PASSWORD);
    await waitSettled(dataDir);
    return await use({
      mode,
      dataDir,
      processes,
      client,
      shop,
      async crash(process) {
        await process.kill();
        const index = processes.indexOf(process);
        processes[index] = await start(
          process.name,
          mode === 'rabbitmq-per-service' ? (process.name as ServiceName) : undefined,
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
    await rm(dataDir, { recursive: true, force: true });
  }
}
