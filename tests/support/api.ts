import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { Order, Product } from '../../contracts/rest';
import { waitFor } from './wait';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export const CARDS = {
  settles: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;

/** The REST API as a client sees it, through the real hono app (`app.request`). */
export class Api {
  private adminTokenPromise: Promise<string> | undefined;

  constructor(private readonly app: Hono) {}

  async call<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.app.request(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  async login(email: string, password: string): Promise<string> {
    const reply = await this.call('POST', '/auth/login', { body: { email, password } });
    if (reply.status !== 200)
      throw new Error(`login of ${email} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.token;
  }

  adminToken(): Promise<string> {
    this.adminTokenPromise ??= this.login('admin@example.com', 'admin');
    return this.adminTokenPromise;
  }

  /** Registers and logs in a new customer. */
  async customer(name = 'Customer'): Promise<{ id: string; email: string; token: string }> {
    const email = `${randomUUID()}@example.com`;
    const password = 'a-long-enough-password';
    const reply = await this.call('POST', '/auth/register', { body: { name, email, password } });
    if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return { id: reply.body.id, email, token: await this.login(email, password) };
  }

  async createProduct(fields: { name?: string; priceCents: number; stock: number }): Promise<Product> {
    const reply = await this.call<Product>('POST', '/products', {
      token: await this.adminToken(),
      body: { name: fields.name ?? 'Product', priceCents: fields.priceCents, stock: fields.stock },
    });
    if (reply.status !== 201) throw new Error(`create product failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  async product(id: string): Promise<Product> {
    return (await this.call<Product>('GET', `/products/${id}`)).body;
  }

  placeOrder(
    token: string,
    items: { productId: string; quantity: number }[],
    cardNumber: string = CARDS.settles,
    headers: Record<string, string> = {},
  ): Promise<Reply<Order>> {
    return this.call<Order>('POST', '/orders', { token, body: { items, payment: { cardNumber } }, headers });
  }

  /** Polls the order until the saga has ended it. */
  async settled(token: string, orderId: string, timeoutMs = 20_000): Promise<Order> {
    let order: Order | undefined;
    await waitFor(
      async () => {
        order = (await this.call<Order>('GET', `/orders/${orderId}`, { token })).body;
        return order?.status !== 'PENDING';
      },
      { timeoutMs, what: `order ${orderId} to end` },
    );
    return order!;
  }
}
