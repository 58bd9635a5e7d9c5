import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { z } from 'zod';
import type { Order, Product, SagaTrace, SagaView } from '../../contracts/rest';
import type { SagaState } from '../../saga/decider/decide';
import { waitFor } from '../../lib/wait';
import { OpenApiContract } from './openapi-contract';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A saga as the orchestrator's routes show it, its state typed as the decider keeps it. */
export type Saga = z.infer<typeof SagaView> & { state: SagaState };
export type TraceEntry = z.infer<typeof SagaTrace>['messages'][number];

export const CARDS = {
  settles: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;

/** The REST API as a client sees it, through the real hono app (`app.request`). */
export class Api {
  private adminTokenPromise: Promise<string> | undefined;
  private contractPromise: Promise<OpenApiContract> | undefined;
  /**
   * The test's own ledger of stock: units put on each product's shelf by a product created or
   * restocked through this client (what it asked for, once the server said yes).
   */
  readonly received: Map<string, number>;

  constructor(
    private readonly app: Hono,
    received = new Map<string, number>(),
  ) {
    this.received = received;
  }

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
    const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
    const body = text && isJson ? JSON.parse(text) : text || undefined;
    const reply = { status: response.status, body, headers: response.headers };
    // Every answer the tests see is also checked against the OpenAPI document the app serves.
    const problem = (await this.contract()).problem(method, path, reply.status, isJson ? body : undefined);
    if (problem) throw new Error(`the answer breaks the OpenAPI document: ${problem}`);
    this.record(method, path, options.body, reply);
    return reply;
  }

  private contract(): Promise<OpenApiContract> {
    this.contractPromise ??= Promise.resolve(this.app.request('/openapi.json')).then(
      async (response) =>
        new OpenApiContract((await response.json()) as ConstructorParameters<typeof OpenApiContract>[0]),
    );
    return this.contractPromise;
  }

  private record(method: string, path: string, body: any, reply: Reply) {
    if (method !== 'POST') return;
    if (path === '/products' && reply.status === 201) this.received.set(reply.body.id, body.stock);
    const restocked = /^\/products\/([^/]+)\/restock$/.exec(path);
    if (restocked && reply.status === 200) {
      const id = restocked[1]!;
      this.received.set(id, (this.received.get(id) ?? 0) + body.quantity);
    }
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

  /** The saga's step log (`GET /sagas/:id`, as an admin), as `step outcome` lines in the order logged. */
  async steps(orderId: string): Promise<string[]> {
    const reply = await this.call<{ steps: { step: string; outcome: string }[] }>('GET', `/sagas/${orderId}`, {
      token: await this.adminToken(),
    });
    if (reply.status !== 200) throw new Error(`GET /sagas/${orderId}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.steps.map(({ step, outcome }) => `${step} ${outcome}`);
  }

  /** The saga as `GET /sagas/:id` shows it to an admin. */
  async saga(orderId: string): Promise<Saga> {
    return this.adminGet<Saga>(`/sagas/${orderId}`);
  }

  /** Every message of the saga, in order, as `GET /sagas/:id/trace` shows it to an admin. */
  async trace(orderId: string): Promise<TraceEntry[]> {
    return (await this.adminGet<z.infer<typeof SagaTrace>>(`/sagas/${orderId}/trace`)).messages;
  }

  private async adminGet<T>(path: string): Promise<T> {
    const reply = await this.call<T>('GET', path, { token: await this.adminToken() });
    if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /** Polls the order until the saga has ended it; an error answer fails at once. */
  async settled(token: string, orderId: string, timeoutMs = 20_000): Promise<Order> {
    let order: Order | undefined;
    await waitFor(
      async () => {
        const reply = await this.call<Order>('GET', `/orders/${orderId}`, { token });
        if (reply.status !== 200)
          throw new Error(`GET /orders/${orderId}: ${reply.status} ${JSON.stringify(reply.body)}`);
        order = reply.body;
        return order.status === 'CONFIRMED' || order.status === 'CANCELLED';
      },
      { timeoutMs, what: `order ${orderId} to end` },
    );
    return order!;
  }
}
