import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import { z } from 'zod';
import { defineRoute } from '../../http/openapi';
import type { MetricsPage } from '../../platform/metrics';

export const metricsRoute = defineRoute('anyone', {
  operationId: 'getMetrics',
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary:
    'Prometheus metrics: sagas, steps, messages, outbox backlog, dead letters, HTTP requests, the process; on METRICS_PORT when set, else on PORT',
  responses: {
    200: {
      description: 'the Prometheus text format, version 0.0.4',
      content: { 'text/plain': { schema: z.string() } },
    },
  },
});

/** The answer of GET /metrics, wherever it is served. */
export async function answerMetrics(c: Context, scrape: () => Promise<MetricsPage>) {
  const { contentType, text } = await scrape();
  return c.text(text, 200, { 'content-type': contentType });
}

/**
 * GET /metrics on the app, or, when it has a port of its own (METRICS_PORT), in the app's OpenAPI
 * document alone: the page is for Prometheus, and PORT may be open to anyone.
 */
export function mountMetrics<E extends Env>(
  app: OpenAPIHono<E>,
  scrape: () => Promise<MetricsPage>,
  { ownPort = false } = {},
) {
  if (ownPort) app.openAPIRegistry.registerPath(metricsRoute);
  else app.openapi(metricsRoute, (c) => answerMetrics(c, scrape));
}
