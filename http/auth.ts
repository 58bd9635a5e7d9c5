import { createMiddleware } from 'hono/factory';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Role } from '../contracts/rest';
import { HttpError } from './errors';

/** How tokens are signed and checked: HS256 under `secret`, with these claims. */
export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  expiresInSeconds: number;
}

export interface Caller {
  id: string;
  role: Role;
}

/** Hono env of routes behind `authenticate`: the verified caller is `c.var.caller`. */
export type AuthEnv = { Variables: { caller: Caller } };

// Pinned: a token must never choose its own algorithm (`none`, or RS256 against an HMAC key).
const ALGORITHM = 'HS256';
const Subject = z.uuid();
// RFC 6750: the scheme is case-insensitive; a JWT is three base64url parts.
const BEARER = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+)$/i;

/**
 * Tokens whose signature and claims were checked, kept until they expire. A customer sends the
 * same token with every request, and checking its HMAC was a twentieth of what placing an order
 * cost; the cache is keyed by the whole token, so a token differing in one byte is checked anew.
 */
const VERIFIED_TOKENS_KEPT = 10_000;

export function createTokens(settings: JwtSettings) {
  const key = new TextEncoder().encode(settings.secret);
  /** Verified tokens, oldest first: the caller each speaks for, and its expiry (seconds since the epoch). */
  const verified = new Map<string, { caller: Caller; expiresAt: number }>();
  return {
    expiresIn: settings.expiresInSeconds,

    issue(caller: Caller, now = new Date()): Promise<string> {
      const issuedAt = Math.floor(now.getTime() / 1000);
      return new SignJWT({ role: caller.role })
        .setProtectedHeader({ alg: ALGORITHM })
        .setSubject(caller.id)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + settings.expiresInSeconds)
        .sign(key);
    },

    /** The caller a token speaks for; throws on any bad signature, algorithm, issuer, audience or expiry. */
    async verify(token: string, now = new Date()): Promise<Caller> {
      const known = verified.get(token);
      if (known) {
        if (now.getTime() / 1000 < known.expiresAt) return known.caller;
        verified.delete(token);
        throw new Error('token expired');
      }
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['sub', 'exp'],
        currentDate: now,
      });
      const role = payload.role;
      if (role !== 'customer' && role !== 'admin') throw new Error('token has no valid role');
      if (!Subject.safeParse(payload.sub).success) throw new Error('token subject is not a user id');
      // Frozen: every later request with this token is handed the same object.
      const caller: Caller = Object.freeze({ id: payload.sub!, role });
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
      verified.set(token, { caller, expiresAt: payload.exp! });
      return caller;
    },
  };
}

export type Tokens = ReturnType<typeof createTokens>;

/** Requires a valid `Authorization: Bearer <jwt>`; 401 otherwise. */
export const authenticate = (tokens: Tokens) =>
  createMiddleware<AuthEnv>(async (c, next) => {
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) throw new HttpError(401, 'a Bearer token is required');
    try {
      c.set('caller', await tokens.verify(token));
    } catch {
      throw new HttpError(401, 'invalid or expired token');
    }
    await next();
  });

export const requireAdmin = createMiddleware<AuthEnv>(async (c, next) => {
  if (c.var.caller.role !== 'admin') throw new HttpError(403, 'admin only');
  await next();
});

/** Whether the caller may see a resource owned by `ownerId`: its owner or an admin. */
export const canSee = (caller: Caller, ownerId: string) => caller.role === 'admin' || caller.id === ownerId;
