import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokens } from './auth';

const settings = { secret: 'a-test-secret', issuer: 'saga-shop', audience: 'saga-shop', expiresInSeconds: 60 };
const issuedAt = new Date('2026-12-01T10:00:00Z');
const later = (seconds: number) => new Date(issuedAt.getTime() + seconds * 1000);

describe('token verification', () => {
  it('accepts a token again until the second it expires, and never after', async () => {
    const tokens = createTokens(settings);
    const caller = { id: randomUUID(), role: 'customer' as const };
    const token = await tokens.issue(caller, issuedAt);

    await expect(tokens.verify(token, issuedAt)).resolves.toEqual(caller);
    const again = await tokens.verify(token, later(59));
    expect(again).toEqual(caller);
    expect(Object.isFrozen(again)).toBe(true);
    await expect(tokens.verify(token, later(60))).rejects.toThrow();
  });

  it('checks anew a token that differs from an accepted one', async () => {
    const tokens = createTokens(settings);
    const token = await tokens.issue({ id: randomUUID(), role: 'customer' }, issuedAt);
    await tokens.verify(token, issuedAt);

    const [head, body, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await expect(tokens.verify(`${head}.${promoted}.${signature}`, issuedAt)).rejects.toThrow();
    const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
    await expect(tokens.verify(`${head}.${body}.${flipped}`, issuedAt)).rejects.toThrow();
  });

  it('does not accept a token signed under another secret because one under its own was', async () => {
    const caller = { id: randomUUID(), role: 'admin' as const };
    const ours = createTokens(settings);
    const theirs = createTokens({ ...settings, secret: 'another-secret' });
    await ours.verify(await ours.issue(caller, issuedAt), issuedAt);
    await expect(ours.verify(await theirs.issue(caller, issuedAt), issuedAt)).rejects.toThrow();
  });
});
