import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDS } from '../support/api';
import { readEndState } from '../support/end-state';
import { startTestSystem, type TestSystem } from '../support/system';

/** Values no field of any body accepts: wrong types, out of every range, oversized. */
const hostileValues: unknown[] = [
  'x'.repeat(100_000),
  1e308,
  -1,
  -100_000_000,
  0.5,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  [],
  {},
  ['a', 1],
  { $gt: '' },
];
/** Sent as raw text in place of a field's value: what JSON.stringify cannot write, and prototype keys. */
const rawValues = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '-1e400',
  '0x10',
  "'single'",
  'undefined',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
];

interface Target {
  method: string;
  path: string;
  token?: string;
  valid: Record<string, unknown>;
}

describe('hostile bodies: every one answers 4xx and changes nothing', () => {
  let system: TestSystem;
  let targets: Target[];
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    const { api } = system;
    const admin = await api.adminToken();
    const me = await api.customer();
    const product = await api.createProduct({ priceCents: 100, stock: 5 });
    const line = { productId: product.id, quantity: 1 };
    targets = [
      {
        method: 'POST',
        path: '/auth/register',
        valid: { name: 'Ann', email: 'ann@example.com', password: 'long-enough' },
      },
      { method: 'POST', path: '/auth/login', valid: { email: me.email, password: 'a-long-enough-password' } },
      { method: 'PATCH', path: `/users/${me.id}`, token: me.token, valid: { name: 'Me' } },
      { method: 'PATCH', path: `/users/${me.id}`, token: admin, valid: { active: false } },
      {
        method: 'POST',
        path: '/products',
        token: admin,
        valid: { name: 'P', description: 'd', priceCents: 1, stock: 1 },
      },
      {
        method: 'PATCH',
        path: `/products/${product.id}`,
        token: admin,
        valid: { name: 'Q', description: 'e', priceCents: 2 },
      },
      { method: 'POST', path: `/products/${product.id}/restock`, token: admin, valid: { quantity: 1 } },
      {
        method: 'POST',
        path: '/orders',
        token: me.token,
        valid: { items: [line], payment: { cardNumber: CARDS.settles } },
      },
    ];
  });
  afterAll(() => system.stop());

  const send = (target: Target, body: string) =>
    system.app.request(target.path, {
      method: target.method,
      headers: {
        'content-type': 'application/json',
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      body,
    });

  /** Each field of the valid body, nested ones included, replaced by each hostile value. */
  function* variants(valid: Record<string, unknown>): Generator<[string, string]> {
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (path.length > 0) paths.push(path);
      if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
      }
    };
    walk(valid, []);
    const marker = '"__HOSTILE__"';
    for (const path of paths) {
      const copy = structuredClone(valid);
      let parent: Record<string, unknown> = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
      parent[path.at(-1)!] = '__HOSTILE__';
      const template = JSON.stringify(copy);
      for (const value of hostileValues) {
        const written = JSON.stringify(value);
        yield [`${path.join('.')} = ${written.slice(0, 40)}`, template.replace(marker, written)];
      }
      for (const raw of rawValues) yield [`${path.join('.')} = ${raw}`, template.replace(marker, raw)];
    }
    const withKey = (key: string, inside: string) => JSON.stringify(valid).replace(/^\{/, `{"${key}":${inside},`);
    yield ['__proto__ key', withKey('__proto__', '{"isAdmin":true,"role":"admin"}')];
    yield ['constructor key', withKey('constructor', '{"prototype":{"isAdmin":true}}')];
    yield ['prototype key', withKey('prototype', '{"isAdmin":true}')];
    yield ['unknown key', withKey('role', '"admin"')];
    for (const whole of ['[]', '"text"', '123', 'null', 'true', '{}', '['.repeat(5000) + ']'.repeat(5000), '{"a":'])
      yield [`whole body ${whole.slice(0, 20)}`, whole];
    yield ['900 KB field', JSON.stringify({ ...valid, [Object.keys(valid)[0]!]: 'y'.repeat(900 * 1024) })];
  }

  it('answers 4xx in the JSON error form, leaves every database as it was and pollutes no prototype', async () => {
    const before = await readEndState(system);
    const accepted: string[] = [];
    let sent = 0;
    for (const target of targets) {
      for (const [what, body] of variants(target.valid)) {
        const response = await send(target, body);
        sent++;
        const text = await response.text();
        if (response.status < 400 || response.status >= 500)
          accepted.push(`${target.method} ${target.path} ${what}: ${response.status} ${text.slice(0, 200)}`);
        else expect(JSON.parse(text)).toMatchObject({ error: { code: expect.any(String) } });
        expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      }
    }
    expect(accepted).toEqual([]);
    expect(sent).toBeGreaterThan(500);
    expect(await readEndState(system)).toEqual(before);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
