import { defineService } from '../../platform/service';
import { handleStockCommand } from './handlers';
import { productsRoutes } from './routes';
import * as schema from './schema';

export const createProductsService = defineService({
  name: 'products',
  schema,
  migrations: new URL('./migrations', import.meta.url),
  setUp: ({ db, tokens, endpoint }) => ({
    routes: productsRoutes(db, tokens),
    start: () => endpoint.listen(handleStockCommand),
  }),
});
