import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../../broker/endpoint';
import { openDatabase } from '../../db/sqlite';
import type { Service, ServiceDeps } from '../../app/service';
import { storeHealth } from '../../app/store-health';
import { applyAccountEvent, isAccountEvent } from './account-status';
import { handleSagaOutcome } from './handlers';
import { ordersRoutes } from './routes';
import * as schema from './schema';

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

export function createOrdersService({ config, broker, tokens, logger }: ServiceDeps): Service {
  const { db, close } = openDatabase(join(config.dataDir, 'orders.db'), schema, migrations);
  const endpoint = new Endpoint('orders', db, broker, logger.child({ service: 'orders' }));

  return {
    name: 'orders',
    routes: ordersRoutes({ db, tokens, cardKey: config.cardKey, send: (tx, messages) => endpoint.send(tx, messages) }),
    start: () =>
      endpoint.listen((tx, message, now) =>
        isAccountEvent(message) ? applyAccountEvent(tx, message, now) : handleSagaOutcome(tx, message, now),
      ),
    health: () => storeHealth(db),
    async stop() {
      await endpoint.stop();
      close();
    },
  };
}
