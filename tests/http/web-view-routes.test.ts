import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/server/config';
import { startSystem } from '../../app/server/system';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';

/** What the web view stands on: its page and scripts, a saga's diagram and the dead letters, over HTTP. */

const packages = createRequire(import.meta.url);
/** The files behind the web view's assets, on disk. */
const uiFiles = {
  'app.js': fileURLToPath(new URL('../../app/operator/ui/public/app.js', import.meta.url)),
  'app.css': fileURLToPath(new URL('../../app/operator/ui/public/app.css', import.meta.url)),
  'mermaid.min.js': packages.resolve('mermaid/dist/mermaid.min.js'),
};
const versionOf = (content: Buffer) => createHash('sha256').update(content).digest('hex').slice(0, 16);

/** A GET of a static file, with an Accept-Encoding or none, read as the bytes on the wire. */
async function fetched(path: string, acceptEncoding?: string) {
  const response = await system.app.request(
    path,
    acceptEncoding ? { headers: { 'Accept-Encoding': acceptEncoding } } : {},
  );
  expect(response.status, path).toBe(200);
  const header = (name: string) => response.headers.get(name);
  return {
    body: Buffer.from(await response.arrayBuffer()),
    etag: header('etag'),
    cacheControl: header('cache-control'),
    encoding: header('content-encoding'),
    vary: header('vary'),
  };
}

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
      expect(html).toContain(`"/ui/${file}?v=`);
      const asset = await system.app.request(`/ui/${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    expect(html).not.toMatch(/https?:\/\//);
    expect((await system.app.request('/ui/../package.json')).status).toBe(404);
    expect((await system.app.request('/ui/index.ts')).status).toBe(404);
  });

  it('names each asset in the page by its content’s hash, and has the page revalidated', async () => {
    const page = await system.app.request('/ui');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    for (const [file, path] of Object.entries(uiFiles)) {
      expect(html).toContain(`"/ui/${file}?v=${versionOf(await readFile(path))}"`);
    }
  });

  it('caches a versioned asset for good, and has any other URL revalidated by its ETag', async () => {
    const { etag } = await fetched('/ui/app.js');
    const version = versionOf(await readFile(uiFiles['app.js']));
    expect(etag).toBe(`"${version}"`);
    expect((await fetched('/ui/app.js')).etag, 'the same ETag each time').toBe(etag);

    expect((await fetched(`/ui/app.js?v=${version}`)).cacheControl).toBe('public, max-age=31536000, immutable');
    expect((await fetched('/ui/app.js')).cacheControl).toBe('no-cache');
    expect((await fetched('/ui/app.js?v=0123456789abcdef')).cacheControl, 'a stale version').toBe('no-cache');
  });

  it('answers 304 with no body to an If-None-Match naming the current ETag', async () => {
    const { etag } = await fetched('/ui/mermaid.min.js');
    const again = await system.app.request('/ui/mermaid.min.js', { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('no-cache');
    expect(await again.text()).toBe('');

    const changed = await system.app.request('/ui/mermaid.min.js', { headers: { 'If-None-Match': '"an-old-one"' } });
    expect(changed.status).toBe(200);
    expect((await changed.arrayBuffer()).byteLength).toBe((await readFile(uiFiles['mermaid.min.js'])).length);
  });

  it('sends mermaid as gzip or br when the browser takes them, each its own ETag, and as it is otherwise', async () => {
    const original = await readFile(uiFiles['mermaid.min.js']);
    const gzipped = await fetched('/ui/mermaid.min.js', 'gzip');
    expect(gzipped.encoding).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(original)).toBe(true);
    expect(gzipped.body.length).toBeLessThan(original.length / 3);

    const brotli = await fetched('/ui/mermaid.min.js', 'gzip, deflate, br, zstd');
    expect(brotli.encoding).toBe('br');
    expect(brotliDecompressSync(brotli.body).equals(original)).toBe(true);
    expect(brotli.body.length).toBeLessThan(gzipped.body.length);

    const plain = await fetched('/ui/mermaid.min.js');
    expect(plain.encoding).toBeNull();
    expect(plain.body.equals(original)).toBe(true);
    for (const answer of [gzipped, brotli, plain]) expect(answer.vary).toBe('Accept-Encoding');
    expect(new Set([gzipped.etag, brotli.etag, plain.etag]).size).toBe(3);

    const notModified = await system.app.request('/ui/mermaid.min.js', {
      headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gzipped.etag! },
    });
    expect(notModified.status).toBe(304);
  });

  it('serves /docs’ files the same way: ETag, 304 and gzip', async () => {
    const path = '/docs/assets/swagger-ui-dist/swagger-ui-bundle.js';
    const original = await readFile(packages.resolve('swagger-ui-dist/swagger-ui-bundle.js'));
    const gzipped = await fetched(path, 'gzip');
    expect(gzipped.etag).toBe(`"${versionOf(original)}-gzip"`);
    expect(gzipped.cacheControl).toBe('no-cache');
    expect(gunzipSync(gzipped.body).equals(original)).toBe(true);
    const again = await system.app.request(path, {
      headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gzipped.etag! },
    });
    expect(again.status).toBe(304);
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
