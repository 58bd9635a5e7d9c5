import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../contracts/rest';
import { CARDS } from '../support/api';
import { startTestSystem, type TestSystem } from '../support/system';

type Caller = 'nobody' | 'customer' | 'admin';
/** One route, how to call it, and the status each caller must get: [nobody, customer, admin]. */
type Case = [method: string, path: string, expected: [number, number, number], body?: () => unknown];

describe('who may call what: every route with no token, a customer token and an admin token', () => {
  let system: TestSystem;
  let tokens: Record<Caller, string | undefined>;
  let cases: Case[];
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    const { api } = system;
    const admin = await api.adminToken();
    const [me, other] = [await api.customer('Me'), await api.customer('Other')];
    tokens = { nobody: undefined, customer: me.token, admin };
    const product = await api.createProduct({ priceCents: 500, stock: 100 });
    const doomed = await api.createProduct({ priceCents: 500, stock: 1 });
    const settle = async (buyer: typeof me) =>
      api.settled(buyer.token, (await api.placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).body.id);
    const [mine, theirs]: [Order, Order] = [await settle(me), await settle(other)];

    const line = { productId: product.id, quantity: 1 };
    const fresh = () => ({ name: 'New', email: `${randomUUID()}@example.com`, password: 'long-enough' });
    cases = [
      ['POST', '/auth/register', [201, 201, 201], fresh],
      ['POST', '/auth/login', [200, 200, 200], () => ({ email: me.email, password: 'a-long-enough-password' })],
      ['GET', '/users', [401, 200, 200]],
      ['GET', `/users/${me.id}`, [401, 200, 200]],
      ['GET', `/users/${other.id}`, [401, 404, 200]],
      ['PATCH', `/users/${me.id}`, [401, 200, 200], () => ({ name: 'Me' })],
      ['PATCH', `/users/${other.id}`, [401, 404, 200], () => ({ name: 'Other' })],
      ['PATCH', `/users/${me.id}`, [401, 403, 200], () => ({ active: true })],
      ['POST', '/products', [401, 403, 201], () => ({ name: 'P', priceCents: 1, stock: 1 })],
      ['GET', '/products', [200, 200, 200]],
      ['GET', `/products/${product.id}`, [200, 200, 200]],
      ['PATCH', `/products/${product.id}`, [401, 403, 200], () => ({ priceCents: 500 })],
      ['POST', `/products/${product.id}/restock`, [401, 403, 200], () => ({ quantity: 1 })],
      ['DELETE', `/products/${doomed.id}`, [401, 403, 204]],
      ['POST', '/orders', [401, 202, 403], () => ({ items: [line], payment: { cardNumber: CARDS.settles } })],
      ['GET', '/orders', [401, 200, 200]],
      ['GET', '/orders/stats', [401, 403, 200]],
      ['GET', `/orders/${mine.id}`, [401, 200, 200]],
      ['GET', `/orders/${theirs.id}`, [401, 404, 200]],
      ['POST', `/orders/${mine.id}/cancel`, [401, 409, 409]],
      ['POST', `/orders/${theirs.id}/cancel`, [401, 404, 409]],
      ['GET', `/orders/${mine.id}/invoice`, [401, 200, 200]],
      ['GET', `/orders/${theirs.id}/invoice`, [401, 404, 200]],
      ['GET', '/invoices', [401, 200, 200]],
      ['GET', `/invoices/${mine.invoiceId}`, [401, 200, 200]],
      ['GET', `/invoices/${theirs.invoiceId}`, [401, 404, 200]],
      ['GET', '/sagas', [401, 403, 200]],
      ['GET', `/sagas/${mine.id}`, [401, 403, 200]],
      ['GET', `/sagas/${mine.id}/trace`, [401, 403, 200]],
      ['GET', `/sagas/${mine.id}/diagram`, [401, 403, 200]],
      // The saga has ended: only an admin gets as far as the 409.
      ['POST', `/sagas/${mine.id}/cancel`, [401, 403, 409], () => ({ reason: 'test' })],
      ['POST', `/sagas/${mine.id}/retry`, [401, 403, 409], () => ({ reason: 'test' })],
      ['POST', `/sagas/${mine.id}/extend`, [401, 403, 409], () => ({ reason: 'test', byMs: 1000 })],
      ['GET', '/dead-letters/payments', [401, 403, 200]],
      ['POST', `/dead-letters/payments/${randomUUID()}/replay`, [401, 403, 404]],
      ['POST', '/dead-letters/payments/purge', [401, 403, 200]],
      ['GET', '/audit/products', [401, 403, 200]],
      ['GET', '/ui', [200, 200, 200]],
      ['GET', '/ui/app.js', [200, 200, 200]],
      ['GET', '/health', [200, 200, 200]],
      ['GET', '/livez', [200, 200, 200]],
      ['GET', '/readyz', [200, 200, 200]],
      ['GET', '/metrics', [200, 200, 200]],
      ['GET', '/openapi.json', [200, 200, 200]],
      ['GET', '/docs', [200, 200, 200]],
      ['GET', '/docs/assets/swagger-ui-dist/swagger-ui.css', [200, 200, 200]],
    ];
  });
  afterAll(() => system.stop());

  it('answers each caller as the table says, every refusal in the JSON error form', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [method, path, statuses, body] of cases) {
      for (const [i, caller] of (['nobody', 'customer', 'admin'] as const).entries()) {
        const response = await system.app.request(path, {
          method,
          headers: {
            ...(tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {}),
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body()) : undefined,
        });
        outcomes.push(`${method} ${path} as ${caller}: ${response.status}`);
        expected.push(`${method} ${path} as ${caller}: ${statuses[i]}`);
        if (response.status >= 400) {
          expect(await response.json()).toMatchObject({
            error: { code: expect.any(String), message: expect.any(String) },
          });
        }
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('the table covers every route the app serves', () => {
    const template = (path: string) =>
      path
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')
        .replace('/sagas/:id', '/sagas/:orderId')
        .replace(/^\/dead-letters\/payments/, '/dead-letters/:queue')
        .replace(/^\/audit\/products$/, '/audit/:service')
        .replace(/^\/ui\/.+$/, '/ui/:file')
        .replace(/swagger-ui-dist\/.+$/, 'swagger-ui-dist/:file');
    const covered = new Set(cases.map(([method, path]) => `${method} ${template(path)}`));
    const served = system.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    expect([...new Set(served)].filter((route) => !covered.has(route))).toEqual([]);
  });
});
