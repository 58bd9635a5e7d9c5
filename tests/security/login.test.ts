import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system';

const PASSWORD = 'a-long-enough-password';
const limits = {
  LOGIN_MAX_FAILURES_PER_EMAIL: '3',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
  LOGIN_WINDOW_SECONDS: '600',
  TRUST_PROXY: 'true',
};

describe('login', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  const login = (email: string, password: string, address = '198.51.100.1') =>
    system.api.call('POST', '/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': address } });
  const withoutRequestId = (body: { error: object }) => ({ ...body, error: { ...body.error, requestId: undefined } });

  it('answers an unknown email exactly as a wrong password', async () => {
    system = await startTestSystem('in-process');
    const known = await system.api.customer();
    const wrongPassword = await login(known.email, 'not-the-password');
    const unknownEmail = await login('nobody-here@example.com', 'not-the-password');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(withoutRequestId(unknownEmail.body)).toEqual(withoutRequestId(wrongPassword.body));
  });

  it('429 with Retry-After once an email has failed too often, even with the right password; kept across a restart', async () => {
    system = await startTestSystem('in-process', { env: limits });
    const victim = await system.api.customer();
    for (let i = 0; i < 3; i++) expect((await login(victim.email, 'guess-' + i)).status).toBe(401);

    const blocked = await login(victim.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_requests');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // An unknown email is limited alike, so the limit does not tell which emails exist.
    for (let i = 0; i < 3; i++) await login('ghost@example.com', 'guess', '198.51.100.2');
    expect((await login('ghost@example.com', 'guess', '198.51.100.2')).status).toBe(429);

    const other = await system.api.customer();
    expect((await login(other.email, PASSWORD)).status).toBe(200);

    system = await system.restart({ env: limits });
    expect((await login(victim.email, PASSWORD)).status).toBe(429);
    const db = new Database(join(system.dataDir, 'users.db'), { readonly: true });
    const keys = db.prepare('SELECT key FROM login_attempts').all() as { key: string }[];
    db.close();
    expect(keys.length).toBeGreaterThan(0);
    expect(JSON.stringify(keys)).not.toContain(victim.email);
  });

  it('429 once a client address has failed too often, whatever the emails; other addresses go on', async () => {
    system = await startTestSystem('in-process', { env: limits });
    const user = await system.api.customer();
    for (let i = 0; i < 5; i++)
      expect((await login(`spray-${i}@example.com`, 'guess', '203.0.113.9')).status).toBe(401);
    const blocked = await login(user.email, PASSWORD, '203.0.113.9');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await login(user.email, PASSWORD, '198.51.100.77')).status).toBe(200);
  });

  it('a successful login gives its attempt back: the limit counts failures', async () => {
    system = await startTestSystem('in-process', { env: limits });
    const user = await system.api.customer();
    for (let i = 0; i < 10; i++) expect((await login(user.email, PASSWORD)).status).toBe(200);
  });
});
