import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system';

const SECRET = 'test-jwt-secret'; // the test system's JWT_SECRET
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token as the real issuer would make it, with one thing changed. */
function forge(
  claims: { sub: string; role?: string },
  { secret = SECRET, alg = 'HS256', iss = 'saga-shop', aud = 'saga-shop', exp = '1h', iat = new Date() } = {},
) {
  return new SignJWT(claims.role ? { role: claims.role } : {})
    .setProtectedHeader({ alg })
    .setSubject(claims.sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

describe('tokens', () => {
  let system: TestSystem;
  let customer: { id: string; email: string; token: string };
  beforeAll(async () => {
    system = await startTestSystem('in-process', { env: { JWT_EXPIRES_IN_SECONDS: '600' } });
    customer = await system.api.customer();
  });
  afterAll(() => system.stop());

  it('issues HS256 tokens for the configured lifetime, naming the user and their role', async () => {
    const login = await system.api.call('POST', '/auth/login', {
      body: { email: customer.email, password: 'a-long-enough-password' },
    });
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600 });
    const header = JSON.parse(Buffer.from(login.body.token.split('.')[0], 'base64url').toString());
    const claims = decodeJwt(login.body.token);
    expect(header).toEqual({ alg: 'HS256' });
    expect(claims).toMatchObject({ sub: customer.id, role: 'customer', iss: 'saga-shop', aud: 'saga-shop' });
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  const admin = (id: string) => ({ sub: id, role: 'admin' });
  const cases: [string, () => Promise<string>][] = [
    [
      'alg none',
      async () => {
        const claims = { ...admin(customer.id), iss: 'saga-shop', aud: 'saga-shop', exp: 9_999_999_999 };
        return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      },
    ],
    [
      'another algorithm with the right key (HS512)',
      async () => `Bearer ${await forge(admin(customer.id), { alg: 'HS512' })}`,
    ],
    ['a wrong key', async () => `Bearer ${await forge(admin(customer.id), { secret: 'guessed' })}`],
    [
      'a tampered payload',
      async () => {
        const [head, , signature] = customer.token.split('.');
        return `Bearer ${head}.${b64({ ...decodeJwt(customer.token), role: 'admin' })}.${signature}`;
      },
    ],
    [
      'an expired token',
      async () => `Bearer ${await forge(admin(customer.id), { iat: new Date(Date.now() - 7200_000), exp: '1h ago' })}`,
    ],
    ['a wrong issuer', async () => `Bearer ${await forge(admin(customer.id), { iss: 'someone-else' })}`],
    ['a wrong audience', async () => `Bearer ${await forge(admin(customer.id), { aud: 'another-api' })}`],
    ['no role', async () => `Bearer ${await forge({ sub: customer.id })}`],
    ['a subject that is not a user id', async () => `Bearer ${await forge({ sub: 'admin', role: 'admin' })}`],
    ['a token without "Bearer"', async () => customer.token],
    ['another scheme', async () => `Basic ${Buffer.from('admin@example.com:admin').toString('base64')}`],
    ['an empty Bearer', async () => 'Bearer '],
  ];

  it.each(cases)('401 with the JSON error for %s', async (_, header) => {
    const authorization = await header();
    for (const [method, path] of [
      ['GET', '/orders/stats'],
      ['GET', '/users'],
      ['GET', '/sagas'],
    ]) {
      const response = await system.app.request(path!, { method, headers: { authorization } });
      expect(response.status, `${method} ${path}`).toBe(401);
      const body = await response.json();
      expect(body).toEqual({
        error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) },
      });
    }
  });
});
