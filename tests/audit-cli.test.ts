import { execFile } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CARDS } from './support/api';
import { expectInvariants } from './support/invariants';
import { startTestSystem, type TestSystem } from './support/system';

const ROOT = join(import.meta.dirname, '..');

/** `npm run audit` as a child process: its exit code and its lines. */
function audit(...args: string[]): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'app/cli/index.ts', 'audit', ...args],
      { cwd: ROOT, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, lines: `${stdout}${stderr}`.trim().split('\n') }),
    );
  });
}

describe('npm run audit', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('passes a running shop after its sagas, then names each violation and its ids and exits 1', async () => {
    system = await startTestSystem('in-process');
    const { api } = system;
    const buyer = await api.customer('Ann');
    const mug = await api.createProduct({ name: 'Mug', priceCents: 1250, stock: 10 });
    const confirmed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    const declined = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.declined);
    expect((await api.settled(buyer.token, confirmed.body.id)).status).toBe('CONFIRMED');
    expect((await api.settled(buyer.token, declined.body.id)).status).toBe('CANCELLED');
    await expectInvariants(system);

    expect(await audit('--data-dir', system.dataDir)).toEqual({
      code: 0,
      lines: ['no violations in 2 orders, 1 product, 2 payments'],
    });

    // The shop is still running: what the audit reads is its live files.
    const products = new Database(join(system.dataDir, 'products.db'));
    products.prepare("UPDATE reservations SET status = 'reserved' WHERE order_id = ?").run(declined.body.id);
    products.prepare('UPDATE products SET reserved = reserved + 1, stock = stock - 1 WHERE id = ?').run(mug.id);
    products.close();

    const found = await audit('--data-dir', system.dataDir);
    expect(found).toEqual({
      code: 1,
      lines: [
        `✗ order ${declined.body.id} (CANCELLED): 1 of ${mug.id} still reserved`,
        '1 violation in 2 orders, 1 product, 2 payments',
      ],
    });
    const json = await audit('--data-dir', system.dataDir, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ ids: [declined.body.id, mug.id] });
  });

  it('one line and exit 1 for a folder that is not a DATA_DIR', async () => {
    system = await startTestSystem('in-process');
    expect(await audit('--data-dir', join(system.dataDir, 'nowhere'))).toEqual({
      code: 1,
      lines: [`error: no orders.db in ${join(system.dataDir, 'nowhere')}: is it the shop's DATA_DIR?`],
    });
  });
});
