import { createHash } from 'node:crypto';
import { envelope, lastFour, sealCard } from '../../contracts';
import type { Outbound } from '../../contracts/topology';
import type { Order, PlaceOrderBody } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import type { GroupCommit } from '../../db/group-commit';
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
import { orderGroups, summarize } from './stats';
import {
  findIdempotencyKey,
  findOrder,
  historiesOf,
  insertIdempotencyKey,
  insertOrder,
  listOrders,
  orderOf,
  toOrder,
} from './store';

export interface OrdersRoutesDeps {
  db: SqliteDb & { transaction: SqliteDb['transaction'] };
  /** The database's group commit: orders placed at once share a transaction, with the consumer's. */
  commits: GroupCommit;
  tokens: Tokens;
  cardKey: string;
  /** Refuses new orders (503) while too many are pending. */
  admission: Admission;
  /** Puts messages in the outbox inside the caller's transaction. */
  send: (tx: SqliteDb, messages: Outbound<'orders'>[]) => void;
}

interface PlaceRequest {
  caller: Caller;
  body: PlaceOrderBody;
  key: string | undefined;
  traceparent: string | undefined;
}

export function ordersRoutes({ db, commits, tokens, cardKey, admission, send }: OrdersRoutesDeps) {
  const guard = guards(tokens);
  const active = requireActiveAccount((userId) => standingOf(db, userId));
  const location = (order: Order) => ({ Location: `/orders/${order.id}` });

  /**
   * Inserts the order and its OrderRequested; a known Idempotency-Key answers its order. A
   * refusal is returned, not thrown, so that it does not undo the orders placed beside it.
   */
  function place(tx: SqliteDb, { caller, body, key, traceparent }: PlaceRequest): Order | HttpError {
    // The hash, not the body, is kept: the body holds the card number.
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (key) {
      const seen = findIdempotencyKey(tx, caller.id, key);
      if (seen && seen.requestHash !== requestHash) return conflict('Idempotency-Key was used with another body');
      if (seen) return toOrder(tx, findOrder(tx, seen.orderId)!);
    }
    const now = new Date();
    const { status, limit } = admission.check(tx, now.getTime());
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
    insertOrder(tx, row);
    if (key) insertIdempotencyKey(tx, { userId: caller.id, key, requestHash, orderId: row.id, createdAt: at });
    const data = {
      orderId: row.id,
      userId: caller.id,
      items: body.items,
      card: sealCard(body.payment.cardNumber, cardKey),
    };
    send(tx, [
      envelope(
        { type: 'OrderRequested', data },
        { producer: 'orders', correlationId: row.id, causationId: null, traceparent, now },
      ),
    ]);
    return toOrder(tx, row);
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
        const order = await commits.submit((tx) => place(tx, request));
        if (order instanceof HttpError) throw order;
        annotate(c, { orderId: order.id });
        return c.json(order, 202, location(order));
      })

      .openapi(guard(api.listOrders), (c) => {
        const { limit, cursor, status } = c.req.valid('query');
        const caller = c.var.caller;
        const filter = { status, userId: caller.role === 'admin' ? undefined : caller.id };
        const rows = listOrders(db, limit + 1, filter, cursor);
        const histories = historiesOf(
          db,
          rows.slice(0, limit).map((row) => row.id),
        );
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
      .openapi(guard(api.orderStats), (c) => c.json(summarize(orderGroups(db)), 200))

      .openapi(guard(api.getOrder), (c) => {
        const order = findOrder(db, c.req.valid('param').id);
        if (!order || !canSee(c.var.caller, order.userId)) throw notFound('order');
        return c.json(toOrder(db, order), 200);
      })

      .openapi(guard(api.cancelOrder, active), (c) => {
        const caller = c.var.caller;
        const { id } = c.req.valid('param');
        const order = db.transaction(
          (tx) => {
            const row = findOrder(tx, id);
            if (!row || !canSee(caller, row.userId)) throw notFound('order');
            if (row.status !== 'PENDING') throw conflict(`order is already ${row.status}`);
            const request = envelope(
              { type: 'OrderCancellationRequested', data: { orderId: row.id, requestedBy: caller.id } },
              { producer: 'orders', correlationId: row.id, causationId: null, traceparent: requestTraceparent(c) },
            );
            send(tx, [request]);
            return toOrder(tx, row);
          },
          { behavior: 'immediate' },
        );
        annotate(c, { orderId: order.id });
        return c.json(order, 202, location(order));
      })
  );
}
