import { defineService } from '../../platform/service';
import { handleStockCommand } from './handlers';
import { productsRoutes } from './routes';
import { productsPostgres } from './postgres/store';
import { productsSqlite } from './sqlite/store';

export const createProductsService = defineService({
  name: 'products',
  sqlite: productsSqlite,
  postgres: productsPostgres,
  setUp: ({ database, tokens, endpoint }) => ({
    routes: productsRoutes(database, tokens),
    start: () => endpoint.listen(handleStockCommand),
  }),
});
