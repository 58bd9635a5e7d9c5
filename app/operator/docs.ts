import { createRequire } from 'node:module';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import type { Env } from 'hono';
import { z } from 'zod';
import { BEARER, defineRoute } from '../../http/openapi';
import { staticFileQuery, staticFileResponses, staticFiles } from '../../http/static-files';

const openApiRoute = defineRoute('anyone', {
  operationId: 'getOpenApiDocument',
  method: 'get',
  path: '/openapi.json',
  tags: ['system'],
  summary: 'This API as an OpenAPI 3.1 document, generated from the contract’s zod schemas',
  responses: { 200: { description: 'the document', content: { 'application/json': { schema: z.looseObject({}) } } } },
});

const docsRoute = defineRoute('anyone', {
  operationId: 'getDocsPage',
  method: 'get',
  path: '/docs',
  tags: ['system'],
  summary: 'An interactive page over /openapi.json',
  responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } } },
});

// Served from the installed swagger-ui-dist rather than a CDN, so /docs works offline and
// shows the version the lockfile pins. @hono/swagger-ui asks for `<baseUrl>/swagger-ui-dist/<file>`.
const ASSETS = '/docs/assets';
const assetFiles = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript' } as const;
const assetOf = createRequire(import.meta.url);

const assetRoute = defineRoute('anyone', {
  operationId: 'getDocsAsset',
  method: 'get',
  path: `${ASSETS}/swagger-ui-dist/{file}`,
  tags: ['system'],
  summary: 'The stylesheet and script of the /docs page',
  request: {
    params: z.object({ file: z.enum(Object.keys(assetFiles) as [keyof typeof assetFiles]) }),
    query: staticFileQuery,
  },
  responses: staticFileResponses,
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
      { name: 'users', description: 'accounts, sign-up and sign-in (the users service)' },
      { name: 'products', description: 'the catalogue and its stock (the products service)' },
      { name: 'orders', description: 'orders, settled by the saga (the orders service)' },
      {
        name: 'invoices',
        description: 'one per confirmed order; a refunded one stays in the books (the payments service)',
      },
      { name: 'sagas', description: 'each order’s saga, its steps and trace (the orchestrator); admin only' },
      { name: 'dead letters', description: 'what each service’s queue dead-lettered, and its replay; admin only' },
      { name: 'audit', description: 'each service’s part of what `saga-shop audit` checks; admin only' },
      { name: 'system', description: 'health, metrics, the web view and this document' },
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
  app.openAPIRegistry.registerPath(assetRoute);
  // Built once: the routes do not change after start.
  let document: ReturnType<typeof openApiDocument> | undefined;
  // `servers` names the origin the document was fetched from, so tools pointed at it (a proxy,
  // a client generator) call this very server.
  app.get(openApiRoute.path, (c) =>
    c.json({ ...(document ??= openApiDocument(app)), servers: [{ url: new URL(c.req.url).origin }] }),
  );
  app.get(docsRoute.path, swaggerUI({ url: openApiRoute.path, title: 'saga-shop API', baseUrl: ASSETS }));
  // The page @hono/swagger-ui makes names its files without a version, so they are revalidated
  // (a 304 while unchanged) rather than kept for a day: an upgraded swagger-ui shows at once.
  const files = staticFiles({ types: assetFiles, pathOf: (file) => assetOf.resolve(`swagger-ui-dist/${file}`) });
  app.get(`${ASSETS}/swagger-ui-dist/:file`, files.handler);
}
