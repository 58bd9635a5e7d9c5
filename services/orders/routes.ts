import { envelope } from '../../contracts';
import type { Order } from '../../contracts/rest';
import { requestTraceparent } from '../../http/tracing';
import { guards } from '../../http/access';
import { requireActiveAccount } from '../../http/account-standing';
import type { AuthEnv, Tokens } from '../../http/auth';
import { canSee } from '../../http/auth';
import { annotate } from '../../http/access-log';
import { conflict, notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import { standingOf } from './account-status';
import * as api from './api';
import { summarize } from './stats';
import { placeOrder, type PlaceOrderDeps } from './place-order';
import { orderOf, toOrder } from './store';

/** The reason an admin's `POST /orders/{id}/cancel` gives: an operator's cancel, from the orders API. */
const ADMIN_CANCEL = 'cancelled by an admin through POST /orders/{id}/cancel';
export interface OrdersRoutesDeps extends PlaceOrderDeps {
  tokens: Tokens;
}

export function ordersRoutes({ tokens, ...placing }: OrdersRoutesDeps) {
  const { database, send } = placing;
  const guard = guards(tokens);
  const active = requireActiveAccount((userId) => database.read((store) => standingOf(store, userId)));
  const location = (order: Order) => ({ Location: `/orders/${order.id}` });
  return (
    newRouter<AuthEnv>()
      .openapi(guard(api.placeOrder, active), async (c) => {
        const order = await placeOrder(placing, {
          caller: c.var.caller,
          body: c.req.valid('json'),
          key: c.req.valid('header')['idempotency-key'],
          traceparent: requestTraceparent(c),
        });
        annotate(c, { orderId: order.id });
        return c.json(order, 202, location(order));
      })

      .openapi(guard(api.listOrders), async (c) => {
        const { limit, cursor, status } = c.req.valid('query');
        const caller = c.var.caller;
        const filter = { status, userId: caller.role === 'admin' ? undefined : caller.id };
        const { rows, histories } = await database.read(async (store) => {
          const rows = await store.listOrders(limit + 1, filter, cursor);
          return { rows, histories: await store.historiesOf(rows.slice(0, limit).map((row) => row.id)) };
        });
        return c.json(
          page(
            rows,
            limit,
            (row) => orderOf(row, histories.get(row.id)!),
            (row) => row.id,
          ),
          200,
        );
      })

      // Before /orders/{id}, which would otherwise take "stats" for an id.
      .openapi(guard(api.orderStats), async (c) => {
        const groups = await database.read((store) => store.orderGroups());
        return c.json(summarize(groups), 200);
      })

      .openapi(guard(api.getOrder), async (c) => {
        const { id } = c.req.valid('param');
        const order = await database.read(async (store) => {
          const row = await store.findOrder(id);
          return row && canSee(c.var.caller, row.userId) ? toOrder(store, row) : undefined;
        });
        if (!order) throw notFound('order');
        return c.json(order, 200);
      })

      .openapi(guard(api.cancelOrder, active), async (c) => {
        const caller = c.var.caller;
        const { id } = c.req.valid('param');
        const traceparent = requestTraceparent(c);
        const order = await database.transaction(async (store) => {
          const row = await store.findOrder(id);
          if (!row || !canSee(caller, row.userId)) throw notFound('order');
          if (row.status !== 'PENDING') throw conflict(`order is already ${row.status}`);
          const request = envelope(
            {
              type: 'OrderCancellationRequested',
              // An admin's cancel is an operator's: the saga records it as CANCELLED_BY_OPERATOR.
              data: {
                orderId: row.id,
                requestedBy: caller.id,
                ...(caller.role === 'admin' && { reason: ADMIN_CANCEL }),
              },
            },
            { producer: 'orders', correlationId: row.id, causationId: null, traceparent },
          );
          await send(store, [request]);
          return toOrder(store, row);
        });
        annotate(c, { orderId: order.id });
        return c.json(order, 202, location(order));
      })
  );
}
