import { defineService } from '../../platform/service';
import { applyAccountEvent, isAccountEvent } from './account-status';
import { handleSagaOutcome } from './handlers';
import { ordersRoutes } from './routes';
import { countPending } from './store';
import * as schema from './schema';

export const createOrdersService = defineService({
  name: 'orders',
  schema,
  migrations: new URL('./migrations', import.meta.url),
  setUp: ({ db, tokens, config, endpoint }) => ({
    routes: ordersRoutes({
      db,
      tokens,
      cardKey: config.cardKey,
      maxPendingOrders: config.maxPendingOrders,
      send: (tx, messages) => endpoint.send(tx, messages),
    }),
    admission() {
      const pending = countPending(db);
      const limit = config.maxPendingOrders;
      return { status: pending >= limit ? 'shedding' : 'accepting', pending, limit };
    },
    start: () =>
      endpoint.listen((tx, message, now) =>
        isAccountEvent(message) ? applyAccountEvent(tx, message, now) : handleSagaOutcome(tx, message, now),
      ),
  }),
});
