import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Logger } from '../lib/logger';

/**
 * One line per request, with the request id a client sees in X-Request-Id. The path only: query
 * strings and bodies may hold what must never be logged.
 */
export const accessLog = (logger: Logger) =>
  createMiddleware(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      {
        requestId: c.get('requestId' as never),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        ...(c.get('logFields' as never) as Record<string, string> | undefined),
      },
      'request',
    );
  });

/**
 * Adds fields to this request's access-log line: the order a POST created, so that one grep of
 * its id finds the request and then every message of its saga.
 */
export function annotate(c: Context, fields: Record<string, string>): void {
  const earlier = c.get('logFields' as never) as Record<string, string> | undefined;
  c.set('logFields' as never, { ...earlier, ...fields } as never);
}
