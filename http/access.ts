import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { authenticate, requireAdmin, type AuthEnv, type Tokens } from './auth';
import type { Access } from './openapi';

type Guarded = MiddlewareHandler<AuthEnv>;

/**
 * Attaches to a declared route the middleware its `x-access` asks for, then `extra` (a service's
 * own checks, which may rely on `c.var.caller`). Authentication runs before validation, so an
 * anonymous caller learns nothing about what a valid body would be.
 */
export function guards(tokens: Tokens) {
  const byAccess: Record<Access, Guarded[]> = {
    anyone: [],
    'signed-in': [authenticate(tokens)],
    admin: [authenticate(tokens), requireAdmin],
  };
  return <const R extends RouteConfig & { 'x-access': Access }>(route: R, ...extra: Guarded[]) => ({
    ...route,
    middleware: [...byAccess[route['x-access']], ...extra],
  });
}
