import { createHash } from 'node:crypto';
import { envelope, lastFour, sealCard, type CardKeys } from '../../contracts';
import type { Order, PlaceOrderBody } from '../../contracts/rest';
import type { Outbound } from '../../contracts/topology';
import type { Database } from '../../db/database';
import type { Caller } from '../../http/auth';
import { conflict, forbidden, HttpError } from '../../http/errors';
import { newId } from '../../lib/ids';
import type { Admission } from './admission';
import { toOrder, type OrdersStore } from './store';

export interface PlaceOrderDeps {
  /** Orders placed at once may share a transaction, with the consumer's (SQLite's group commit). */
  database: Database<OrdersStore>;
  /** Seals the card number for payments: the newest key seals. */
  cardKeys: CardKeys;
  /** Refuses new orders (503) while too many are pending. */
  admission: Admission;
  /** Puts messages in the outbox inside the caller's transaction. */
  send: (store: OrdersStore, messages: Outbound<'orders'>[]) => Promise<void>;
}

export interface PlaceOrderRequest {
  caller: Caller;
  body: PlaceOrderBody;
  /** The Idempotency-Key, if the client sent one. */
  key: string | undefined;
  /** The span the OrderRequested goes out under. */
  traceparent: string | undefined;
}

/**
 * Places a customer's order: inserts it with its OrderRequested, in one transaction; a known
 * Idempotency-Key answers its order instead. A refusal is thrown (403 for other than a customer,
 * 409 for a key used with another body, 503 while shedding), which undoes this order alone.
 */
export async function placeOrder(
  { database, cardKeys, admission, send }: PlaceOrderDeps,
  { caller, body, key, traceparent }: PlaceOrderRequest,
): Promise<Order> {
  if (caller.role !== 'customer') throw forbidden('orders are placed by customers');
  // The hash, not the body, is kept: the body holds the card number.
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  // Orders placed at once are inserted in one transaction: its commit costs more than an order.
  return database.transaction(async (store) => {
    if (key) {
      const seen = await store.findIdempotencyKey(caller.id, key);
      if (seen && seen.requestHash !== requestHash) throw conflict('Idempotency-Key was used with another body');
      if (seen) return toOrder(store, (await store.findOrder(seen.orderId))!);
    }
    const now = new Date();
    const { status, limit } = await admission.check(store, now.getTime());
    if (status === 'shedding') {
      const message = `${limit} orders are being settled; try again shortly`;
      throw new HttpError(503, message, 'overloaded', undefined, { 'Retry-After': '1' });
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
      card: sealCard(body.payment.cardNumber, cardKeys),
    };
    await send(store, [
      envelope(
        { type: 'OrderRequested', data },
        { producer: 'orders', correlationId: row.id, causationId: null, traceparent, now },
      ),
    ]);
    return toOrder(store, row);
  });
}
