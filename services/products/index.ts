import { defineService } from '../../platform/service';
import { handleStockCommand } from './handlers';
import { productsRoutes } from './routes';
import * as schema from './sqlite/schema';

export const createProductsService = defineService({
  name: 'products',
  schema,
  migrations: new URL('./sqlite/migrations', import.meta.url),
  setUp: ({ db, tokens, endpoint }) => ({
    routes: productsRoutes(db, tokens),
    start: () => endpoint.listen(handleStockCommand),
  }),
});
