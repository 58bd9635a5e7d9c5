import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { z } from 'zod';
import { defineRoute } from '../../../http/openapi';
import { staticFileQuery, staticFileResponses, staticFiles, withVersions } from '../../../http/static-files';

/**
 * The web view at /ui: a page and its script, served by the app itself so it works offline. Its
 * data comes from the admin routes of the JSON API, with the token the page signs in for.
 */

const types = { 'app.js': 'text/javascript', 'app.css': 'text/css', 'mermaid.min.js': 'text/javascript' } as const;
type AssetName = keyof typeof types;

const pageRoute = defineRoute('anyone', {
  operationId: 'getWebView',
  method: 'get',
  path: '/ui',
  tags: ['system'],
  summary: 'The web view: sagas, each drawn live, and dead letters (it asks an admin to sign in)',
  responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } } },
});

const assetRoute = defineRoute('anyone', {
  operationId: 'getWebViewAsset',
  method: 'get',
  path: '/ui/{file}',
  tags: ['system'],
  summary: 'The script, stylesheet and diagram renderer (mermaid) of the web view',
  request: { params: z.object({ file: z.enum(Object.keys(types) as [AssetName]) }), query: staticFileQuery },
  responses: staticFileResponses,
});

const publicDir = new URL('./public/', import.meta.url);
const packages = createRequire(import.meta.url);

/**
 * Mermaid's script is a development dependency (the package brings 150 MiB for one 3.5 MiB
 * file): from source it comes from node_modules, and the compiled build copies it into public/.
 */
function pathOf(name: string): string {
  const local = fileURLToPath(new URL(name, publicDir));
  return existsSync(local) || name !== 'mermaid.min.js' ? local : packages.resolve(`mermaid/dist/${name}`);
}

export function mountUi<E extends Env>(app: OpenAPIHono<E>) {
  app.openAPIRegistry.registerPath(pageRoute);
  app.openAPIRegistry.registerPath(assetRoute);
  const files = staticFiles({ types, pathOf });
  // The page names each asset with its version, so the browser keeps the asset for good and
  // asks again only for the page, which is small.
  let page: Promise<string> | undefined;
  const versionedPage = async () => {
    const html = new TextDecoder().decode(await (await files.load('index.html')).in('identity'));
    const assets = Object.keys(types) as AssetName[];
    const versions = await Promise.all(assets.map(async (name) => [name, (await files.load(name)).version]));
    return withVersions(html, '/ui/', Object.fromEntries(versions));
  };
  app.get(pageRoute.path, async (c) => c.html(await (page ??= versionedPage()), 200, { 'Cache-Control': 'no-cache' }));
  app.get('/ui/:file', files.handler);
}
