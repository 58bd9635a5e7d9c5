import { defineService } from '../../platform/service';
import { handlePaymentCommand } from './handlers';
import { paymentsRoutes } from './routes';
import * as schema from './sqlite/schema';

export const createPaymentsService = defineService({
  name: 'payments',
  schema,
  migrations: new URL('./sqlite/migrations', import.meta.url),
  setUp: ({ db, tokens, config, endpoint }) => ({
    routes: paymentsRoutes(db, tokens),
    start: () => endpoint.listen((tx, message, now) => handlePaymentCommand(tx, message, now, config.cardKey)),
  }),
});
