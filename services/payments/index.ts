import { defineService } from '../../platform/service';
import { handlePaymentCommand } from './handlers';
import { paymentsRoutes } from './routes';
import { paymentsSqlite } from './sqlite/store';

export const createPaymentsService = defineService({
  name: 'payments',
  sqlite: paymentsSqlite,
  setUp: ({ database, tokens, config, endpoint }) => ({
    routes: paymentsRoutes(database, tokens),
    start: () => endpoint.listen((store, message, now) => handlePaymentCommand(store, message, now, config.cardKey)),
  }),
});
