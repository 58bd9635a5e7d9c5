import { createMiddleware } from 'hono/factory';
import type { AuthEnv } from './auth';
import { HttpError } from './errors';

/** What a service knows of the caller's account: tokens outlive a deactivation, so it must ask. */
export type AccountStanding = 'active' | 'deactivated' | 'unknown';

/**
 * Refuses a valid token whose account was deactivated or deleted since it was issued. Put on the
 * routes that act for the caller; reads stay allowed until the token expires.
 */
export const requireActiveAccount = (standingOf: (userId: string) => Promise<AccountStanding>) =>
  createMiddleware<AuthEnv>(async (c, next) => {
    const standing = await standingOf(c.var.caller.id);
    if (standing === 'unknown') throw new HttpError(401, 'the account of this token no longer exists');
    if (standing === 'deactivated') throw new HttpError(403, 'this account is deactivated', 'account_deactivated');
    await next();
  });
