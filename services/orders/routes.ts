import { createHash, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { envelope, lastFour, OrderStatus, sealCard, type Message } from '../../contracts';
import { ListQuery, PlaceOrderBody, type Order } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import { authenticate, canSee, type AuthEnv, type Tokens } from '../../http/auth';
import { conflict, forbidden, HttpError, notFound } from '../../http/errors';
import { page } from '../../http/pagination';
import { jsonBody, params, query } from '../../http/validate';
import { findIdempotencyKey, findOrder, insertIdempotencyKey, insertOrder, listOrders, toOrder } from './store';

const IdParam = z.object({ id: z.uuid() });
const IdempotencyKey = z.string().min(1).max(200);
const OrdersQuery = ListQuery.extend({ status: OrderStatus.optional() });

export interface OrdersRoutesDeps {
  db: SqliteDb & { transaction: SqliteDb['transaction'] };
  tokens: Tokens;
  cardKey: string;
  /** Puts messages in the outbox inside the caller's transaction. */
  send: (tx: SqliteDb, messages: Message[]) => void;
}

export function ordersRoutes({ db, tokens, cardKey, send }: OrdersRoutesDeps) {
  const accepted = (order: Order) => ({ body: order, headers: { Location: `/orders/${order.id}` } });

  const auth = authenticate(tokens);
  return new Hono<AuthEnv>()

    .post('/orders', auth, jsonBody(PlaceOrderBody), (c) => {
      const caller = c.var.caller;
      if (caller.role !== 'customer') throw forbidden('orders are placed by customers');
      const body = c.req.valid('json');
      const keyHeader = c.req.header('idempotency-key');
      const key = keyHeader === undefined ? undefined : IdempotencyKey.safeParse(keyHeader);
      if (key && !key.success) throw new HttpError(400, 'Idempotency-Key must be 1 to 200 characters');
      // The hash, not the body, is kept: the body holds the card number.
      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');

      const order = db.transaction(
        (tx) => {
          if (key) {
            const seen = findIdempotencyKey(tx, caller.id, key.data);
            if (seen && seen.requestHash !== requestHash) throw conflict('Idempotency-Key was used with another body');
            if (seen) return toOrder(tx, findOrder(tx, seen.orderId)!);
          }
          const now = new Date();
          const at = now.toISOString();
          const row = {
            id: randomUUID(),
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
          if (key)
            insertIdempotencyKey(tx, { userId: caller.id, key: key.data, requestHash, orderId: row.id, createdAt: at });
          const requested = envelope(
            {
              type: 'OrderRequested',
              data: {
                orderId: row.id,
                userId: caller.id,
                items: body.items,
                card: sealCard(body.payment.cardNumber, cardKey),
              },
            },
            { producer: 'orders', correlationId: row.id, causationId: null, now },
          );
          send(tx, [requested]);
          return toOrder(tx, row);
        },
        { behavior: 'immediate' },
      );
      const { body: json, headers } = accepted(order);
      return c.json(json, 202, headers);
    })

    .get('/orders', auth, query(OrdersQuery), (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const caller = c.var.caller;
      const filter = { status, userId: caller.role === 'admin' ? undefined : caller.id };
      return c.json(
        page(
          listOrders(db, limit + 1, filter, cursor),
          limit,
          (row) => toOrder(db, row),
          (row) => row.id,
        ),
      );
    })

    .get('/orders/:id', auth, params(IdParam), (c) => {
      const order = findOrder(db, c.req.valid('param').id);
      if (!order || !canSee(c.var.caller, order.userId)) throw notFound('order');
      return c.json(toOrder(db, order));
    })

    .post('/orders/:id/cancel', auth, params(IdParam), (c) => {
      const caller = c.var.caller;
      const order = db.transaction(
        (tx) => {
          const row = findOrder(tx, c.req.valid('param').id);
          if (!row || !canSee(caller, row.userId)) throw notFound('order');
          if (row.status !== 'PENDING') throw conflict(`order is already ${row.status}`);
          const request = envelope(
            { type: 'OrderCancellationRequested', data: { orderId: row.id, requestedBy: caller.id } },
            { producer: 'orders', correlationId: row.id, causationId: null },
          );
          send(tx, [request]);
          return toOrder(tx, row);
        },
        { behavior: 'immediate' },
      );
      const { body: json, headers } = accepted(order);
      return c.json(json, 202, headers);
    });
}
