import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../app/server/config';
import { logger } from '../../lib/logger';
import type { Broker } from '../../broker/broker';
import { connectBroker } from '../../broker/connect';
import { deleteTopology } from '../../broker/rabbitmq/rabbitmq';
import { brokerSettings, rabbitUrl, type Transport } from '../support/system';
import { rabbitmqctl } from '../support/rabbitmqctl';
import { waitFor } from '../../lib/wait';

export interface TestBroker {
  broker: Broker;
  /** The settings it was opened with, for a child process (the dlq CLI) to open the same broker. */
  env: Record<string, string>;
  /** Closes the broker and removes its data folder or RabbitMQ namespace. */
  dispose(): Promise<void>;
}

/** A broker the way the app opens one (`connectBroker`), on a fresh data folder and RabbitMQ namespace. */
export async function openTestBroker(transport: Transport): Promise<TestBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'broker-e2e-'));
  const env = {
    DATA_DIR: dataDir,
    ...brokerSettings(transport),
    BROKER_NAMESPACE: `test-${randomUUID().slice(0, 8)}`,
  };
  const broker = await connectBroker(loadConfig(env), logger);
  return {
    broker,
    env,
    async dispose() {
      await broker.close();
      if (transport === 'rabbitmq') await deleteTopology(rabbitUrl, env.BROKER_NAMESPACE);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The server-side pid of the connection named `connectionName`, in the syntax `rabbitmqctl close_connection` takes. */
export async function findConnection(connectionName: string): Promise<string> {
  let pid: string | undefined;
  await waitFor(
    async () => {
      // The table format prints pids in the `<node.a.b.c>` syntax close_connection accepts; JSON does not.
      const stdout = await rabbitmqctl([
        'list_connections',
        'pid',
        'client_properties',
        '--quiet',
        '--no-table-headers',
      ]);
      const line = stdout.split('\n').find((row) => row.includes(`{"connection_name","${connectionName}"}`));
      pid = line?.split('\t')[0];
      return pid !== undefined;
    },
    { timeoutMs: 15_000, what: `connection ${connectionName} to be listed` },
  );
  return pid!;
}

/** Has the server drop a connection, as a network failure or broker restart would. */
export async function closeConnection(pid: string): Promise<void> {
  await rabbitmqctl(['close_connection', pid, 'test']);
}

export async function closeConnectionFromServer(connectionName: string): Promise<void> {
  await closeConnection(await findConnection(connectionName));
}
