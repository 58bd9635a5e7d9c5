import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../contracts/rest';
import { startTestSystem, type TestSystem } from '../support/system';

describe('users', () => {
  let system: TestSystem;
  let admin: string;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    admin = await system.api.adminToken();
  });
  afterAll(() => system.stop());

  it('an admin pages through every user; a customer sees only their own record', async () => {
    const made = [await system.api.customer(), await system.api.customer(), await system.api.customer()];
    const seen: User[] = [];
    let cursor: string | null = null;
    do {
      const reply: { body: { items: User[]; nextCursor: string | null } } = await system.api.call(
        'GET',
        `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      seen.push(...reply.body.items);
      cursor = reply.body.nextCursor;
    } while (cursor);
    expect(seen.map((u) => u.id)).toEqual(expect.arrayContaining(made.map((u) => u.id)));
    expect(seen.some((u) => u.role === 'admin')).toBe(true);
    expect(JSON.stringify(seen)).not.toMatch(/password|scrypt/i);

    const own = await system.api.call('GET', '/users', { token: made[0]!.token });
    expect(own.body).toEqual({ items: [expect.objectContaining({ id: made[0]!.id })], nextCursor: null });
  });

  it('an admin finds one user by email, in any case; a customer may not look anyone up', async () => {
    const ann = await system.api.customer('Ann');
    const found = await system.api.call('GET', `/users?email=${encodeURIComponent(ann.email.toUpperCase())}`, {
      token: admin,
    });
    expect(found.body).toEqual({
      items: [expect.objectContaining({ id: ann.id, email: ann.email })],
      nextCursor: null,
    });
    const nobody = await system.api.call('GET', '/users?email=nobody%40example.com', { token: admin });
    expect(nobody.body).toEqual({ items: [], nextCursor: null });
    expect((await system.api.call('GET', '/users?email=not-an-email', { token: admin })).status).toBe(400);
    const asked = await system.api.call('GET', `/users?email=${encodeURIComponent(ann.email)}`, { token: ann.token });
    expect(asked.status).toBe(403);
  });

  it('a customer renames themselves; not someone else, and never changes active', async () => {
    const ann = await system.api.customer('Ann');
    const bob = await system.api.customer('Bob');
    const renamed = await system.api.call('PATCH', `/users/${ann.id}`, { token: ann.token, body: { name: 'Ann B.' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: ann.id, name: 'Ann B.', active: true, role: 'customer' });
    expect((await system.api.call('PATCH', `/users/${bob.id}`, { token: ann.token, body: { name: 'x' } })).status).toBe(
      404,
    );
    expect((await system.api.call('PATCH', `/users/${ann.id}`, { token: ann.token, body: {} })).status).toBe(400);
  });

  it('an admin (de)activates an account, but not their own', async () => {
    const ann = await system.api.customer();
    const off = await system.api.call('PATCH', `/users/${ann.id}`, { token: admin, body: { active: false } });
    expect(off.body).toMatchObject({ active: false });
    const refused = await system.api.call('POST', '/auth/login', {
      body: { email: ann.email, password: 'a-long-enough-password' },
    });
    expect(refused.status).toBe(403);
    const on = await system.api.call('PATCH', `/users/${ann.id}`, { token: admin, body: { active: true } });
    expect(on.body).toMatchObject({ active: true });

    const me = (await system.api.call<{ items: User[] }>('GET', '/users?limit=100', { token: admin })).body.items.find(
      (u) => u.role === 'admin',
    )!;
    const self = await system.api.call('PATCH', `/users/${me.id}`, { token: admin, body: { active: false } });
    expect(self.status).toBe(409);
    expect((await system.api.call('GET', `/users/${randomUUID()}`, { token: admin })).status).toBe(404);
  });
});
