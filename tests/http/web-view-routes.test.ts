import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/server/config';
import { startSystem } from '../../app/server/system';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';

/** What the web view stands on: its page and scripts, a saga's diagram and the dead letters, over HTTP. */

let system: TestSystem;
let admin: string;
let customer: { token: string };

beforeAll(async () => {
  system = await startTestSystem('in-process');
  admin = await system.api.adminToken();
  customer = await system.api.customer();
});
afterAll(() => system.stop());

describe('the web view’s routes', () => {
  it('serves the page, its script, its stylesheet and mermaid from the app, not a CDN', async () => {
    const page = await system.app.request('/ui');
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const file of ['app.js', 'app.css', 'mermaid.min.js']) {
      expect(html).toContain(`"/ui/${file}"`);
      const asset = await system.app.request(`/ui/${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    expect(html).not.toMatch(/https?:\/\//);
    expect((await system.app.request('/ui/../package.json')).status).toBe(404);
    expect((await system.app.request('/ui/index.ts')).status).toBe(404);
  });

  it('draws an order’s saga as Mermaid, for admins only', async () => {
    const mug = await system.api.createProduct({ priceCents: 500, stock: 5 });
    const placed = await system.api.placeOrder(customer.token, [{ productId: mug.id, quantity: 1 }], CARDS.declined);
    await system.api.settled(customer.token, placed.body.id);
    const path = `/sagas/${placed.body.id}/diagram`;

    expect((await system.api.call('GET', path)).status).toBe(401);
    expect((await system.api.call('GET', path, { token: customer.token })).status).toBe(403);
    expect((await system.api.call('GET', `/sagas/${crypto.randomUUID()}/diagram`, { token: admin })).status).toBe(404);
    const { status, body } = await system.api.call('GET', path, { token: admin });
    expect(status).toBe(200);
    expect(body).toMatchObject({ orderId: placed.body.id, status: 'CANCELLED', finished: true });
    const lines = body.mermaid.split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}orchestrator-->>products: ReleaseStock \(\+\d\.\d{3}s, compensation\)$/),
    );
    expect(lines.at(-1)).toMatch(/Note over orders,payments: CANCELLED PAYMENT_DECLINED/);
  });

  it('lists a queue’s dead letters and replays one, for admins only', async () => {
    await system.broker.publish('ReserveStock', '{not json');
    await waitFor(async () => (await system.broker.deadLetters('products')).length === 1, { what: 'the dead letter' });

    expect((await system.api.call('GET', '/dead-letters/products')).status).toBe(401);
    expect((await system.api.call('GET', '/dead-letters/products', { token: customer.token })).status).toBe(403);
    expect((await system.api.call('GET', '/dead-letters/nowhere', { token: admin })).status).toBe(400);
    const listed = await system.api.call('GET', '/dead-letters/products', { token: admin });
    expect(listed.status).toBe(200);
    const [letter] = listed.body.items;
    expect(letter).toMatchObject({ queue: 'products', routingKey: 'ReserveStock', payload: '{not json', attempts: 1 });

    // Its id, but under another queue: not a letter of that queue.
    const elsewhere = await system.api.call('POST', `/dead-letters/users/${letter.id}/replay`, { token: admin });
    expect(elsewhere.status).toBe(404);
    const replayed = await system.api.call('POST', `/dead-letters/products/${letter.id}/replay`, { token: admin });
    expect(replayed).toMatchObject({ status: 200, body: { id: letter.id, queue: 'products' } });
    await waitFor(async () => (await system.broker.deadLetters('products')).some((again) => again.id !== letter.id), {
      what: 'the replayed message, still not JSON, to be dead-lettered again',
    });
    expect((await system.api.call('POST', `/dead-letters/products/${letter.id}/replay`, { token: admin })).status).toBe(
      404,
    );
    await expectInvariants(system, { deadLettered: { products: 1 } });
  });
});

describe('a process that runs some of the services', () => {
  it('has the web view only with the orchestrator, and only its own queues’ dead letters', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shop-test-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      BROKER_URL: '',
      JWT_SECRET: 'test-jwt-secret',
      CARD_TOKEN_KEY: 'test-card-key',
    });
    const products = await startSystem(config, { services: ['products'] });
    try {
      expect((await products.app.request('/ui')).status).toBe(404);
      const token = await system.api.adminToken();
      const ask = (queue: string) =>
        products.app.request(`/dead-letters/${queue}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await ask('products')).status).toBe(200);
      const other = await ask('users');
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ error: { message: expect.stringMatching(/another process/) } });
    } finally {
      await products.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
