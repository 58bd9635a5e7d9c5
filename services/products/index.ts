import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../../broker/endpoint';
import { openDatabase } from '../../db/sqlite';
import type { Service, ServiceDeps } from '../../app/service';
import { storeHealth } from '../../app/store-health';
import { handleStockCommand } from './handlers';
import { productsRoutes } from './routes';
import * as schema from './schema';

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

export function createProductsService({ config, broker, tokens, logger }: ServiceDeps): Service {
  const { db, close } = openDatabase(join(config.dataDir, 'products.db'), schema, migrations);
  const endpoint = new Endpoint('products', db, broker, logger.child({ service: 'products' }));

  return {
    name: 'products',
    routes: productsRoutes(db, tokens),
    start: () => endpoint.listen(handleStockCommand),
    health: () => storeHealth(db),
    async stop() {
      await endpoint.stop();
      close();
    },
  };
}
