import { waitFor } from '../../lib/wait';
import type { AppProcess } from '../faults/app-process';
import { Http } from '../faults/http';
import { Rng } from '../faults/seed';
import { CARDS, expectStatus, setUpShop, type OrderView } from '../faults/shop';

/** The caller's trace context of the tests: the W3C examples. */
export const CALLER = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
};
export const callerTraceparent = `00-${CALLER.traceId}-${CALLER.spanId}-01`;

/**
 * Places an order on `app` with the caller's `traceparent` and `tracestate`, over real HTTP, and
 * waits until it is confirmed. Resolves to the product it bought, for the invariants.
 */
export async function placeTracedOrder(app: AppProcess): Promise<{ productId: string; stock: number }> {
  const http = new Http(() => app.url);
  const shop = await setUpShop(http, new Rng(1), { customers: 1, products: 1 });
  const [buyer, product] = [shop.customers[0]!, shop.catalogue[0]!];
  const placed = await http.call<OrderView>('POST', '/orders', {
    token: buyer.token,
    headers: { traceparent: callerTraceparent, tracestate: CALLER.tracestate },
    body: { items: [{ productId: product.id, quantity: 1 }], payment: { cardNumber: CARDS.settles } },
  });
  expectStatus(placed, 202, 'POST /orders');
  await waitFor(
    async () =>
      (await http.call<OrderView>('GET', `/orders/${placed.body.id}`, { token: buyer.token })).body.status ===
      'CONFIRMED',
    { what: `order ${placed.body.id} to be confirmed` },
  );
  return { productId: product.id, stock: product.stock };
}
