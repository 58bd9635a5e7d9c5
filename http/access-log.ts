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
      },
      'request',
    );
  });
