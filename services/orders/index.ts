import { defineService } from '../../platform/service';
import { applyAccountEvent, isAccountEvent } from './account-status';
import { Admission } from './admission';
import { handleSagaOutcome } from './handlers';
import { ordersRoutes } from './routes';
import * as schema from './sqlite/schema';
import { forgetIdempotencyKeysBefore } from './store';

export const createOrdersService = defineService({
  name: 'orders',
  schema,
  migrations: new URL('./sqlite/migrations', import.meta.url),
  setUp: ({ db, commits, tokens, config, endpoint }) => {
    const admission = new Admission(config.maxPendingOrders);
    return {
      routes: ordersRoutes({
        db,
        commits,
        tokens,
        cardKey: config.cardKey,
        admission,
        send: (tx, messages) => endpoint.send(tx, messages),
      }),
      admission: () => admission.report(db, Date.now()),
      prunes: {
        'idempotency keys': (now, limit) =>
          forgetIdempotencyKeysBefore(db, new Date(now.getTime() - config.retention.idempotencyMs), limit),
      },
      start: () =>
        endpoint.listen((tx, message, now) =>
          isAccountEvent(message) ? applyAccountEvent(tx, message, now) : handleSagaOutcome(tx, message, now),
        ),
    };
  },
});
