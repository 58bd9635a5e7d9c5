import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDS } from '../support/api';
import { startTestSystem, type TestSystem } from '../support/system';

// HTTP behaviour does not depend on the transport: these run on the embedded broker.
describe('REST contract', () => {
  let system: TestSystem;
  let customer: { id: string; token: string };
  let productId: string;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    customer = await system.api.customer();
    productId = (await system.api.createProduct({ priceCents: 100, stock: 1 })).id;
  });
  afterAll(() => system.stop());

  const expectError = (reply: { status: number; body: any }, status: number, code: string) => {
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(JSON.stringify(reply.body)).not.toMatch(/at .*\.ts:\d+/);
  };

  describe('validation: 400 naming each bad field', () => {
    it('register', async () => {
      const reply = await system.api.call('POST', '/auth/register', {
        body: { name: '', email: 'nope', password: 'short' },
      });
      expectError(reply, 400, 'validation_failed');
      expect(reply.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'email',
        'name',
        'password',
      ]);
    });

    it('an order with a bad line, a card failing Luhn and an unknown field', async () => {
      const reply = await system.api.call('POST', '/orders', {
        token: customer.token,
        body: { items: [{ productId: 'x', quantity: 0 }], payment: { cardNumber: '4242424242424241' }, coupon: 'FREE' },
      });
      expectError(reply, 400, 'validation_failed');
      expect(reply.body.error.details.map((d: { path: string }) => d.path)).toEqual(
        expect.arrayContaining(['items.0.productId', 'items.0.quantity', 'payment.cardNumber', 'coupon']),
      );
    });

    it('an order with no lines, too many lines or a card of the wrong length', async () => {
      const line = { productId, quantity: 1 };
      for (const body of [
        { items: [], payment: { cardNumber: CARDS.settles } },
        { items: Array.from({ length: 101 }, () => line), payment: { cardNumber: CARDS.settles } },
        { items: [line], payment: { cardNumber: '4242' } },
      ]) {
        expectError(
          await system.api.call('POST', '/orders', { token: customer.token, body }),
          400,
          'validation_failed',
        );
      }
    });

    it('a product with a negative price', async () => {
      const reply = await system.api.call('POST', '/products', {
        token: await system.api.adminToken(),
        body: { name: 'Bad', priceCents: -1, stock: 1.5 },
      });
      expectError(reply, 400, 'validation_failed');
      expect(reply.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['priceCents', 'stock']);
    });

    it('a body that is not JSON', async () => {
      const response = await system.app.request('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    });

    it('a body over 1 MiB', async () => {
      const reply = await system.api.call('POST', '/auth/register', {
        body: { name: 'x'.repeat(1024 * 1024 + 1), email: 'a@example.com', password: 'long-enough' },
      });
      expectError(reply, 413, 'payload_too_large');
    });
  });

  describe('authentication and roles', () => {
    it('401 without a token, with a malformed one, or with a wrong password', async () => {
      expectError(await system.api.call('GET', '/orders'), 401, 'unauthorized');
      expectError(await system.api.call('GET', '/orders', { token: 'not-a-jwt' }), 401, 'unauthorized');
      const login = await system.api.call('POST', '/auth/login', {
        body: { email: 'admin@example.com', password: 'wrong' },
      });
      expectError(login, 401, 'unauthorized');
    });

    it('login answers a Bearer token with its lifetime', async () => {
      const reply = await system.api.call('POST', '/auth/login', {
        body: { email: 'admin@example.com', password: 'admin' },
      });
      expect(reply.body).toEqual({ token: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    });

    it('409 for an email that is taken', async () => {
      const body = { name: 'Twice', email: `${randomUUID()}@example.com`, password: 'long-enough' };
      expect((await system.api.call('POST', '/auth/register', { body })).status).toBe(201);
      expectError(await system.api.call('POST', '/auth/register', { body }), 409, 'conflict');
    });

    it('403 for a customer creating a product, deactivating a user or reading a saga', async () => {
      const { token } = customer;
      expectError(
        await system.api.call('POST', '/products', { token, body: { name: 'X', priceCents: 1, stock: 1 } }),
        403,
        'forbidden',
      );
      expectError(
        await system.api.call('PATCH', `/users/${customer.id}`, { token, body: { active: false } }),
        403,
        'forbidden',
      );
      expectError(await system.api.call('GET', `/sagas/${randomUUID()}`, { token }), 403, 'forbidden');
    });

    it("404 for someone else's order and user record, as if they did not exist", async () => {
      const other = await system.api.customer();
      const placed = await system.api.placeOrder(other.token, [{ productId, quantity: 1 }]);
      expect(placed.status).toBe(202);
      expectError(
        await system.api.call('GET', `/orders/${placed.body.id}`, { token: customer.token }),
        404,
        'not_found',
      );
      expectError(await system.api.call('GET', `/users/${other.id}`, { token: customer.token }), 404, 'not_found');
      const mine = await system.api.call('GET', '/orders', { token: customer.token });
      expect(mine.body.items.map((o: { id: string }) => o.id)).not.toContain(placed.body.id);
      const asAdmin = await system.api.call('GET', `/orders/${placed.body.id}`, {
        token: await system.api.adminToken(),
      });
      expect(asAdmin.status).toBe(200);
    });

    it('404 with a JSON error for an unknown id or route', async () => {
      expectError(await system.api.call('GET', `/products/${randomUUID()}`), 404, 'not_found');
      expectError(await system.api.call('GET', '/nowhere'), 404, 'not_found');
    });
  });
});
