import { defineService } from '../../platform/service';
import { handleStockCommand } from './handlers';
import { productsRoutes } from './routes';
import { productsSqlite } from './sqlite/store';

export const createProductsService = defineService({
  name: 'products',
  sqlite: productsSqlite,
  setUp: ({ database, tokens, endpoint }) => ({
    routes: productsRoutes(database, tokens),
    start: () => endpoint.listen(handleStockCommand),
  }),
});
