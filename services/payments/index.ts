import { defineService } from '../../platform/service';
import { handlePaymentCommand } from './handlers';
import { paymentsRoutes } from './routes';
import { paymentsPostgres } from './postgres/store';
import { paymentsSqlite } from './sqlite/store';

export const createPaymentsService = defineService({
  name: 'payments',
  sqlite: paymentsSqlite,
  postgres: paymentsPostgres,
  setUp: ({ database, tokens, config, endpoint }) => ({
    routes: paymentsRoutes(database, tokens),
    start: () => endpoint.listen((store, message, now) => handlePaymentCommand(store, message, now, config.cardKeys)),
  }),
});
