import type { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import type { Env } from 'hono';
import { z } from 'zod';
import { BEARER, defineRoute } from '../http/openapi';

const openApiRoute = defineRoute('anyone', {
  method: 'get',
  path: '/openapi.json',
  tags: ['system'],
  summary: 'This API as an OpenAPI 3.1 document, generated from the contract’s zod schemas',
  responses: { 200: { description: 'the document', content: { 'application/json': { schema: z.looseObject({}) } } } },
});

const docsRoute = defineRoute('anyone', {
  method: 'get',
  path: '/docs',
  tags: ['system'],
  summary: 'An interactive page over /openapi.json',
  responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } } },
});

/** The OpenAPI document of every route mounted on `app` so far. */
export function openApiDocument<E extends Env>(app: OpenAPIHono<E>) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'saga-shop',
      version: '1',
      description:
        'A shop whose orders are settled by a saga over a message broker. Errors are `{"error": {code, message, details?, requestId?}}`; money is integer cents.',
    },
    tags: [
      { name: 'users' },
      { name: 'products' },
      { name: 'orders' },
      { name: 'invoices' },
      { name: 'sagas', description: 'admin only' },
      { name: 'system' },
    ],
  });
}

/** Serves the document at /openapi.json and Swagger UI at /docs; call after every route is mounted. */
export function mountDocs<E extends Env>(app: OpenAPIHono<E>) {
  app.openAPIRegistry.registerComponent('securitySchemes', BEARER, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'the `token` of POST /auth/login',
  });
  app.openAPIRegistry.registerPath(openApiRoute);
  app.openAPIRegistry.registerPath(docsRoute);
  // Built once: the routes do not change after start.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get(openApiRoute.path, (c) => c.json((document ??= openApiDocument(app))));
  app.get(docsRoute.path, swaggerUI({ url: openApiRoute.path, title: 'saga-shop API' }));
}
