import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../contracts/rest';
import { readEndState } from '../support/end-state';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';

describe('the catalogue', () => {
  let system: TestSystem;
  let admin: string;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    admin = await system.api.adminToken();
  });
  afterAll(() => system.stop());

  const catalogue = async (query = '') =>
    (await system.api.call<{ items: Product[]; nextCursor: string | null }>('GET', `/products${query}`)).body;

  it('renames, describes and reprices a product', async () => {
    const mug = await system.api.createProduct({ name: 'Mug', priceCents: 1250, stock: 1 });
    const reply = await system.api.call('PATCH', `/products/${mug.id}`, {
      token: admin,
      body: { name: 'Big mug', description: '500 ml', priceCents: 1400 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: mug.id, name: 'Big mug', description: '500 ml', priceCents: 1400 });
    expect(await system.api.product(mug.id)).toMatchObject({ name: 'Big mug', priceCents: 1400 });
  });

  it('restocks: more available, and counted as received so conservation holds', async () => {
    const tea = await system.api.createProduct({ priceCents: 300, stock: 2 });
    const reply = await system.api.call('POST', `/products/${tea.id}/restock`, { token: admin, body: { quantity: 5 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ stock: 7, reserved: 0, sold: 0 });
    const row = (await readEndState(system)).products.find((p) => p.id === tea.id);
    expect(row).toMatchObject({ stock: 7, received: 7 });

    const buyer = await system.api.customer();
    const order = await system.api.placeOrder(buyer.token, [{ productId: tea.id, quantity: 6 }]);
    expect(await system.api.settled(buyer.token, order.body.id)).toMatchObject({ status: 'CONFIRMED' });
    await expectInvariants(system);
  });

  it('archives: hidden from the catalogue, still shown by id, refused by new orders, not changeable', async () => {
    const old = await system.api.createProduct({ name: 'Discontinued', priceCents: 100, stock: 3 });
    const buyer = await system.api.customer();
    const before = await system.api.placeOrder(buyer.token, [{ productId: old.id, quantity: 1 }]);
    await system.api.settled(buyer.token, before.body.id);

    const archived = await system.api.call('DELETE', `/products/${old.id}`, { token: admin });
    expect(archived.status).toBe(204);
    expect((await system.api.call('DELETE', `/products/${old.id}`, { token: admin })).status).toBe(204);

    expect((await catalogue('?limit=100')).items.map((p) => p.id)).not.toContain(old.id);
    const shown = await system.api.product(old.id);
    expect(shown).toMatchObject({ id: old.id, name: 'Discontinued', sold: 1, archivedAt: expect.any(String) });
    expect(await system.api.settled(buyer.token, before.body.id)).toMatchObject({
      status: 'CONFIRMED',
      items: [{ productId: old.id, quantity: 1, unitPriceCents: 100 }],
    });

    const after = await system.api.placeOrder(buyer.token, [{ productId: old.id, quantity: 1 }]);
    expect(await system.api.settled(buyer.token, after.body.id)).toMatchObject({
      status: 'CANCELLED',
      reason: 'UNKNOWN_PRODUCT',
    });
    for (const [method, path, body] of [
      ['PATCH', `/products/${old.id}`, { priceCents: 1 }],
      ['POST', `/products/${old.id}/restock`, { quantity: 1 }],
    ] as const) {
      expect((await system.api.call(method, path, { token: admin, body })).status).toBe(409);
    }
    await expectInvariants(system);
  });

  it('404 for a product that does not exist, whatever the write', async () => {
    const ghost = randomUUID();
    expect((await system.api.call('PATCH', `/products/${ghost}`, { token: admin, body: { name: 'X' } })).status).toBe(
      404,
    );
    expect(
      (await system.api.call('POST', `/products/${ghost}/restock`, { token: admin, body: { quantity: 1 } })).status,
    ).toBe(404);
    expect((await system.api.call('DELETE', `/products/${ghost}`, { token: admin })).status).toBe(404);
  });

  it('filters by a part of the name, any case, with % and _ taken literally', async () => {
    const tag = randomUUID().slice(0, 8);
    await system.api.createProduct({ name: `Green ${tag} teapot`, priceCents: 1, stock: 1 });
    await system.api.createProduct({ name: `GREEN ${tag} cup`, priceCents: 1, stock: 1 });
    await system.api.createProduct({ name: `Blue ${tag} cup 100%`, priceCents: 1, stock: 1 });
    const names = async (name: string) =>
      (await catalogue(`?name=${encodeURIComponent(name)}`)).items.map((p) => p.name).sort();
    expect(await names(`green ${tag}`)).toEqual([`GREEN ${tag} cup`, `Green ${tag} teapot`]);
    expect(await names(`${tag} cup`)).toEqual([`Blue ${tag} cup 100%`, `GREEN ${tag} cup`]);
    expect(await names(`${tag} cup 100%`)).toEqual([`Blue ${tag} cup 100%`]);
    expect(await names(`${tag}_cup`)).toEqual([]);
  });

  it('pages through the catalogue with the cursor, each product once', async () => {
    for (let i = 0; i < 5; i++) await system.api.createProduct({ priceCents: 1, stock: 1 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Product[]; nextCursor: string | null } = await catalogue(
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBe((await catalogue('?limit=100')).items.length);
  });
});
