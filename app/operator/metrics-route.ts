import { z } from 'zod';
import { defineRoute } from '../../http/openapi';

export const metricsRoute = defineRoute('anyone', {
  operationId: 'getMetrics',
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary: 'Prometheus metrics: sagas, steps, messages, outbox backlog, HTTP requests',
  responses: {
    200: {
      description: 'the Prometheus text format, version 0.0.4',
      content: { 'text/plain': { schema: z.string() } },
    },
  },
});
