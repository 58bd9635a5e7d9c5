import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../../broker/endpoint';
import { openDatabase } from '../../db/sqlite';
import type { Service, ServiceDeps } from '../../app/service';
import { storeHealth } from '../../app/store-health';
import { handlePaymentCommand } from './handlers';
import { paymentsRoutes } from './routes';
import * as schema from './schema';

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

export function createPaymentsService({ config, broker, tokens, logger }: ServiceDeps): Service {
  const { db, close } = openDatabase(join(config.dataDir, 'payments.db'), schema, migrations);
  const endpoint = new Endpoint('payments', db, broker, logger.child({ service: 'payments' }));

  return {
    name: 'payments',
    routes: paymentsRoutes(db, tokens),
    start: () => endpoint.listen((tx, message, now) => handlePaymentCommand(tx, message, now, config.cardKey)),
    health: () => storeHealth(db),
    async stop() {
      await endpoint.stop();
      close();
    },
  };
}
