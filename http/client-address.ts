import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The address a request came from, for per-client limits. X-Forwarded-For is trusted only when
 * configured (one reverse proxy in front, which appends the address it saw: the last entry);
 * otherwise any client could name itself. 'unknown' outside a node server (app.request in tests).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket.remoteAddress ?? 'unknown';
}
