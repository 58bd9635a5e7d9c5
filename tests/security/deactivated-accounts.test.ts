import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system';
import { waitFor } from '../../lib/wait';

describe('a token outlives its account: the routes that act for the caller refuse it', () => {
  let system: TestSystem;
  let admin: string;
  let productId: string;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    admin = await system.api.adminToken();
    productId = (await system.api.createProduct({ priceCents: 100, stock: 100 })).id;
  });
  afterAll(() => system.stop());

  const setActive = (id: string, active: boolean) =>
    system.api.call('PATCH', `/users/${id}`, { token: admin, body: { active } });
  const order = (token: string) => system.api.placeOrder(token, [{ productId, quantity: 1 }]);

  it('deactivated: no new order, no cancel, no rename; reads still work; reactivated: all back', async () => {
    const buyer = await system.api.customer();
    const pending = await order(buyer.token);
    expect((await setActive(buyer.id, false)).status).toBe(200);

    // Users knows at once; orders once UserDeactivated has reached it through the broker.
    const rename = await system.api.call('PATCH', `/users/${buyer.id}`, { token: buyer.token, body: { name: 'X' } });
    expect(rename.status).toBe(403);
    expect(rename.body.error.code).toBe('account_deactivated');
    await waitFor(async () => (await order(buyer.token)).status === 403, {
      what: 'orders to hear of the deactivation',
    });
    const refused = await order(buyer.token);
    expect((refused.body as unknown as { error: object }).error).toMatchObject({ code: 'account_deactivated' });
    const cancel = await system.api.call('POST', `/orders/${pending.body.id}/cancel`, { token: buyer.token });
    expect(cancel.status).toBe(403);
    expect((await system.api.call('GET', `/orders/${pending.body.id}`, { token: buyer.token })).status).toBe(200);

    expect((await setActive(buyer.id, true)).status).toBe(200);
    await waitFor(async () => (await order(buyer.token)).status === 202, {
      what: 'orders to hear of the reactivation',
    });
    const renamed = await system.api.call('PATCH', `/users/${buyer.id}`, { token: buyer.token, body: { name: 'Y' } });
    expect(renamed.status).toBe(200);
  });

  it('deleted: 401 for the token of an account that no longer exists', async () => {
    const ghost = await system.api.customer();
    const db = new Database(join(system.dataDir, 'users.db'));
    db.prepare('DELETE FROM users WHERE id = ?').run(ghost.id);
    db.close();
    const reply = await system.api.call('PATCH', `/users/${ghost.id}`, { token: ghost.token, body: { name: 'Z' } });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('unauthorized');
  });
});
