import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readEndState } from '../support/end-state';
import { startTestSystem, type TestSystem } from '../support/system';

describe('registration', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  const register = (address: string, email = `${randomUUID()}@example.com`) =>
    system.api.call('POST', '/auth/register', {
      body: { name: 'Someone', email, password: 'a-long-enough-password' },
      headers: { 'x-forwarded-for': address },
    });

  it('429 with Retry-After once an address has registered too often, failures included; other addresses go on', async () => {
    system = await startTestSystem('in-process', {
      env: { REGISTER_MAX_PER_ADDRESS: '3', REGISTER_WINDOW_SECONDS: '600', TRUST_PROXY: 'true' },
    });
    const taken = `${randomUUID()}@example.com`;
    expect((await register('198.51.100.7', taken)).status).toBe(201);
    expect((await register('198.51.100.7', taken)).status).toBe(409);
    expect((await register('198.51.100.7')).status).toBe(201);

    const refused = await register('198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: 'too_many_requests',
      message: expect.stringContaining('registrations'),
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);

    expect((await register('198.51.100.8')).status).toBe(201);
    // The admin, and the three accounts that were let in.
    expect((await readEndState(system)).users).toHaveLength(4);
  });
});
