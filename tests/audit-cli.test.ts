import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/server/config';
import { startSystem, type System } from '../app/server/system';
import { createTokens } from '../http/auth';
import { CARDS } from './support/api';
import { expectInvariants } from './support/invariants';
import { serveOnFreePort } from './support/served';
import { startTestSystem, type TestSystem } from './support/system';

const ROOT = join(import.meta.dirname, '..');

/** `npm run audit` as a child process: its exit code and its lines. */
function audit(...args: string[]): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'app/cli/index.ts', 'audit', ...args],
      { cwd: ROOT, timeout: 30_000, env: { ...process.env, LOG_LEVEL: 'silent' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, lines: `${stdout}${stderr}`.trim().split('\n') }),
    );
  });
}

describe('npm run audit', () => {
  let system: TestSystem | undefined;
  let served: Awaited<ReturnType<typeof serveOnFreePort>> | undefined;
  afterEach(async () => {
    await served?.close();
    await system?.stop();
    served = system = undefined;
  });

  it('passes a running shop after its sagas, then names each violation and its ids and exits 1, over HTTP and on the files', async () => {
    system = await startTestSystem('in-process');
    served = await serveOnFreePort(system.app);
    const { api } = system;
    const buyer = await api.customer('Ann');
    const mug = await api.createProduct({ name: 'Mug', priceCents: 1250, stock: 10 });
    const confirmed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    const declined = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.declined);
    expect((await api.settled(buyer.token, confirmed.body.id)).status).toBe('CONFIRMED');
    expect((await api.settled(buyer.token, declined.body.id)).status).toBe('CANCELLED');
    await expectInvariants(system);

    const clean = { code: 0, lines: ['no violations in 2 orders, 1 product, 2 payments'] };
    expect(await audit('--url', served.url)).toEqual(clean);
    expect(await audit('--data-dir', system.dataDir)).toEqual(clean);

    // The shop is still running: what the audit reads is what it holds now.
    const products = new Database(join(system.dataDir, 'products.db'));
    products.prepare("UPDATE reservations SET status = 'reserved' WHERE order_id = ?").run(declined.body.id);
    products.prepare('UPDATE products SET reserved = reserved + 1, stock = stock - 1 WHERE id = ?').run(mug.id);
    products.close();

    const found = {
      code: 1,
      lines: [
        `✗ order ${declined.body.id} (CANCELLED): 1 of ${mug.id} still reserved`,
        '1 violation in 2 orders, 1 product, 2 payments',
      ],
    };
    expect(await audit('--url', served.url, '--token', await api.adminToken())).toEqual(found);
    expect(await audit('--data-dir', system.dataDir)).toEqual(found);
    const json = await audit('--url', served.url, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ ids: [declined.body.id, mug.id] });
  });

  it('finds nothing wrong in a shop at work: orders is read first, and again last', async () => {
    system = await startTestSystem('in-process');
    served = await serveOnFreePort(system.app);
    const { api } = system;
    const buyer = await api.customer('Bo');
    const lamp = await api.createProduct({ name: 'Lamp', priceCents: 1999, stock: 100_000 });
    // Orders keep coming while the audits read, so sagas end between one service's read and the next.
    let auditing = true;
    const placed: string[] = [];
    const shopper = async () => {
      for (let i = 0; auditing; i++) {
        const card = i % 4 === 0 ? CARDS.declined : CARDS.settles;
        const answer = await api.placeOrder(buyer.token, [{ productId: lamp.id, quantity: 1 + (i % 3) }], card);
        // Shedding (503) is the shop keeping up: the shopper tries again shortly.
        if (answer.status === 503) await sleep(20);
        else placed.push(answer.body.id);
      }
    };
    const shoppers = Array.from({ length: 8 }, shopper);
    const audits = [];
    for (let i = 0; i < 3; i++) audits.push(await audit('--url', served.url));
    auditing = false;
    await Promise.all(shoppers);
    for (const id of placed) await api.settled(buyer.token, id);
    audits.push(await audit('--url', served.url));

    expect(audits.map((run) => run.lines.filter((line) => line.startsWith('✗')))).toEqual([[], [], [], []]);
    expect(audits.at(-1)).toEqual({
      code: 0,
      lines: [`no violations in ${placed.length} orders, 1 product, ${placed.length} payments`],
    });
    await expectInvariants(system);
  });

  it('one line and exit 1 for a folder that is not a DATA_DIR, a refused token, a shop that does not answer', async () => {
    system = await startTestSystem('in-process');
    served = await serveOnFreePort(system.app);
    const customer = await system.api.customer('Cy');
    const nowhere = join(system.dataDir, 'nowhere');
    expect(await audit('--data-dir', nowhere)).toEqual({
      code: 1,
      lines: [`error: no orders.db in ${nowhere}: is it the shop's DATA_DIR?`],
    });
    expect(await audit('--url', served.url, '--token', 'not-a-jwt')).toMatchObject({
      code: 1,
      lines: [expect.stringMatching(/^error: the server refused the token given \(--token or SAGA_SHOP_TOKEN\): 401 /)],
    });
    expect(await audit('--url', served.url, '--token', customer.token)).toMatchObject({
      code: 1,
      lines: [expect.stringMatching(/^error: the token is not an admin's: 403 /)],
    });
    const { url } = served;
    await served.close();
    served = undefined;
    expect(await audit('--url', url)).toEqual({
      code: 1,
      lines: [`error: cannot reach ${url}: ECONNREFUSED`],
    });
  });
});

describe('GET /audit/{service}', () => {
  let alone: System | undefined;
  let dataDir: string;
  afterEach(async () => {
    await alone?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers for the services its process runs, and names the one it does not', async () => {
    const config = loadConfig({
      DATA_DIR: (dataDir = await mkdtemp(join(tmpdir(), 'audit-alone-'))),
      BROKER_URL: '',
      JWT_SECRET: 'test-jwt-secret',
      CARD_TOKEN_KEY: 'test-card-key',
    });
    alone = await startSystem(config, { services: ['payments'] });
    const token = await createTokens(config.jwt).issue({ id: randomUUID(), role: 'admin' });
    const admin = { authorization: `Bearer ${token}` };
    const payments = await alone.app.request('/audit/payments', { headers: admin });
    expect(payments.status).toBe(200);
    expect(await payments.json()).toEqual({ payments: [] });
    const orders = await alone.app.request('/audit/orders', { headers: admin });
    expect(orders.status).toBe(404);
    expect(await orders.json()).toMatchObject({ error: { message: expect.stringContaining('another process') } });
    expect((await alone.app.request('/audit/users', { headers: admin })).status).toBe(400);
  });
});
