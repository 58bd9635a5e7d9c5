import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../broker/endpoint';
import { openDatabase } from '../db/sqlite';
import type { Service, ServiceDeps } from '../app/service';
import { sagaRoutes } from './routes';
import { runSaga } from './runner';
import * as schema from './schema';

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

export const sagaDatabaseFile = (dataDir: string) => join(dataDir, 'orchestrator.db');

export function openSagaStore(dataDir: string) {
  return openDatabase(sagaDatabaseFile(dataDir), schema, migrations);
}

export function createOrchestrator({ config, broker, tokens, logger }: ServiceDeps): Service {
  const { db, close } = openSagaStore(config.dataDir);
  const endpoint = new Endpoint('orchestrator', db, broker, logger.child({ service: 'orchestrator' }));

  return {
    name: 'orchestrator',
    routes: sagaRoutes(db, tokens),
    start: () => endpoint.listenRaw((tx, message, now) => endpoint.send(tx, runSaga(tx, message, now))),
    async stop() {
      await endpoint.stop();
      close();
    },
  };
}
