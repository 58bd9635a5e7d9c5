import { createHash } from 'node:crypto';
import { envelope, lastFour, sealCard } from '../../contracts';
import type { Outbound } from '../../contracts/topology';
import type { Order, PlaceOrderBody } from '../../contracts/rest';
import type { Database } from '../../db/database';
import { newId } from '../../lib/ids';
import { requestTraceparent } from '../../http/tracing';
import { guards } from '../../http/access';
import { requireActiveAccount } from '../../http/account-standing';
import type { AuthEnv, Caller, Tokens } from '../../http/auth';
import { canSee } from '../../http/auth';
import { annotate } from '../../http/access-log';
import { conflict, forbidden, HttpError, notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import { standingOf } from './account-status';
import type { Admission } from './admission';
import * as api from './api';
import { summarize } from './stats';
import { orderOf, toOrder, type OrdersStore } from './store';

export interface OrdersRoutesDeps {
  /** Orders placed at once may share a transaction, with the consumer's (SQLite's group commit). */
  database: Database<OrdersStore>;
  tokens: Tokens;
  cardKey: string;
  /** Refuses new orders (503) while too many are pending. */
  admission: Admission;
  /** Puts messages in the outbox inside the caller's transaction. */
  send: (store: OrdersStore, messages: Outbound<'orders'>[]) => Promise<void>;
}

interface PlaceRequest {
  caller: Caller;
  body: PlaceOrderBody;
  key: string | undefined;
  traceparent: string | undefined;
}

export function ordersRoutes({ database, tokens, cardKey, admission, send }: OrdersRoutesDeps) {
  const guard = guards(tokens);
  const active = requireActiveAccount((userId) => database.read((store) => standingOf(store, userId)));
  const location = (order: Order) => ({ Location: `/orders/${order.id}` });

  /**
   * Inserts the order and its OrderRequested; a known Idempotency-Key answers its order. A
   * refusal is returned, not thrown, so that it does not undo the orders placed beside it.
   */
  async function place(
    store: OrdersStore,
    { caller, body, key, traceparent }: PlaceRequest,
  ): Promise<Order | HttpError> {
    // The hash, not the body, is kept: the body holds the card number.
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (key) {
      const seen = await store.findIdempotencyKey(caller.id, key);
      if (seen && seen.requestHash !== requestHash) return conflict('Idempotency-Key was used with another body');
      if (seen) return toOrder(store, (await store.findOrder(seen.orderId))!);
    }
    const now = new Date();
    const { status, limit } = await admission.check(store, now.getTime());
    if (status === 'shedding') {
      const message = `${limit} orders are being settled; try again shortly`;
      return new HttpError(503, message, 'overloaded', undefined, { 'Retry-After': '1' });
    }
    const at = now.toISOString();
    const row = {
      id: newId(),
      userId: caller.id,
      status: 'PENDING' as const,
      reason: null,
      detail: null,
      items: body.items,
      totalCents: null,
      invoiceId: null,
      cardLast4: lastFour(body.payment.cardNumber),
      createdAt: at,
      updatedAt: at,
    };
    await store.insertOrder(row);
    if (key) await store.insertIdempotencyKey({ userId: caller.id, key, requestHash, orderId: row.id, createdAt: at });
    const data = {
      orderId: row.id,
      userId: caller.id,
      items: body.items,
      card: sealCard(body.payment.cardNumber, cardKey),
    };
    await send(store, [
      envelope(
        { type: 'OrderRequested', data },
        { producer: 'orders', correlationId: row.id, causationId: null, traceparent, now },
      ),
    ]);
    return toOrder(store, row);
  }
  return (
    newRouter<AuthEnv>()
      .openapi(guard(api.placeOrder, active), async (c) => {
        if (c.var.caller.role !== 'customer') throw forbidden('orders are placed by customers');
        const request = {
          caller: c.var.caller,
          body: c.req.valid('json'),
          key: c.req.valid('header')['idempotency-key'],
          traceparent: requestTraceparent(c),
        };
        // Orders placed at once are inserted in one transaction: its commit costs more than an order.
        const order = await database.transaction((store) => place(store, request));
        if (order instanceof HttpError) throw order;
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
            { type: 'OrderCancellationRequested', data: { orderId: row.id, requestedBy: caller.id } },
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
