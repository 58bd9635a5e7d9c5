import { defineService } from '../../platform/service';
import { applyAccountEvent, isAccountEvent } from './account-status';
import { Admission } from './admission';
import { handleSagaOutcome } from './handlers';
import { ordersRoutes } from './routes';
import { ordersPostgres } from './postgres/store';
import { ordersSqlite } from './sqlite/store';

export const createOrdersService = defineService({
  name: 'orders',
  sqlite: ordersSqlite,
  postgres: ordersPostgres,
  setUp: ({ database, tokens, config, endpoint }) => {
    const admission = new Admission(config.maxPendingOrders);
    return {
      routes: ordersRoutes({
        database,
        tokens,
        cardKeys: config.cardKeys,
        admission,
        send: (store, messages) => endpoint.send(store, messages),
      }),
      admission: () => database.read((store) => admission.report(store, Date.now())),
      prunes: {
        'idempotency keys': (now, limit) =>
          database.transaction((store) =>
            store.forgetIdempotencyKeysBefore(new Date(now.getTime() - config.retention.idempotencyMs), limit),
          ),
      },
      start: () =>
        endpoint.listen((store, message, now) =>
          isAccountEvent(message) ? applyAccountEvent(store, message, now) : handleSagaOutcome(store, message, now),
        ),
    };
  },
});
