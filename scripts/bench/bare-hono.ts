import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The yardstick for the HTTP path: a bare hono app on @hono/node-server, started as the shop
 * is (node with tsx's loader), answering the same two routes with bodies of the same shape
 * and doing nothing else.
 */
const app = new Hono()
  .get('/products', (c) => c.json({ items: [], nextCursor: null }))
  .get('/health', (c) => c.json({ status: 'ok', down: [] }));

serve({ fetch: app.fetch, port: Number(process.env.PORT) });
