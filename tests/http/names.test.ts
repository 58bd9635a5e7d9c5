import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEndState } from '../support/end-state';
import { startTestSystem, type TestSystem } from '../support/system';

/** Names that would not read as what they are, each with what the 400 says. */
const unreadable: [string, string, RegExp][] = [
  ['a right-to-left override', 'Mug \u202Egpj.exe', /bidirectional/],
  ['a left-to-right isolate', 'Mug \u2066x', /bidirectional/],
  ['a lone surrogate', 'x\uD800y', /lone surrogate/],
  ['only a zero-width space', '\u200B', /visible character/],
  ['only a Hangul filler', '\u3164', /visible character/],
  ['only a combining mark', '\u0301', /visible character/],
];

describe('names a person reads', () => {
  let system: TestSystem;
  let admin: string;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    admin = await system.api.adminToken();
  });
  afterAll(() => system.stop());

  it.each(unreadable)('refuses %s in a product name or a user name, and stores nothing', async (_what, name, why) => {
    const before = await readEndState(system);
    const product = await system.api.call('POST', '/products', {
      token: admin,
      body: { name, priceCents: 100, stock: 1 },
    });
    expect(product.status).toBe(400);
    expect(product.body.error.details).toEqual([{ path: 'name', message: expect.stringMatching(why) }]);
    const user = await system.api.call('POST', '/auth/register', {
      body: { name, email: 'someone@example.com', password: 'a-long-enough-password' },
    });
    expect(user.status).toBe(400);
    expect(user.body.error.details).toEqual([{ path: 'name', message: expect.stringMatching(why) }]);
    expect(await readEndState(system)).toEqual(before);
  });

  it('keeps names in any script, with accents, emoji and joiners, as they were sent', async () => {
    for (const name of ['Théière 鉄瓶', 'Zoë', 'Family 👨‍👩‍👧', 'e\u0301clair']) {
      const reply = await system.api.call('POST', '/products', {
        token: admin,
        body: { name, priceCents: 1, stock: 1 },
      });
      expect(reply.status, name).toBe(201);
      expect(reply.body.name).toBe(name);
    }
  });
});
