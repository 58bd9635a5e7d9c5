import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Validator } from '@seriousme/openapi-schema-validator';
import { readFile } from 'node:fs/promises';
import * as rest from '../../contracts/rest';
import { documentFile, generatedDocument } from '../../scripts/openapi';
import { OpenApiContract } from '../support/openapi-contract';
import { startTestSystem, type TestSystem } from '../support/system';

type Operation = { 'x-access'?: string; requestBody?: { content: Record<string, { schema: { $ref?: string } }> } };
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { examples?: unknown[] }>; securitySchemes: Record<string, unknown> };
};

describe('the OpenAPI document', () => {
  let system: TestSystem;
  let doc: Document;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    doc = (await system.api.call<Document>('GET', '/openapi.json')).body;
  });
  afterAll(() => system.stop());

  it('is OpenAPI 3.1 and describes every route the app serves, each with who may call it', () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = system.app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(new Set(served).size).toBeGreaterThanOrEqual(20);
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(['anyone', 'signed-in', 'admin'], `${method} ${path}`).toContain(operation['x-access']);
      }
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('is valid by a well-kept OpenAPI validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names every operation once (a generated client’s method names) and the server it came from', () => {
    const ids = Object.values(doc.paths).flatMap((operations) =>
      Object.values(operations).map((operation) => (operation as { operationId?: string }).operationId),
    );
    expect(
      ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)),
      JSON.stringify(ids),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect((doc as { servers?: { url: string }[] }).servers).toEqual([{ url: 'http://localhost' }]);
  });

  it('has patterns that are regular expressions, not RegExp literals, and judges requests as the app does', async () => {
    const patterns = JSON.stringify(doc).match(/"pattern":"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(patterns.length).toBeGreaterThan(3);
    for (const quoted of patterns) {
      const pattern: string = JSON.parse(`{${quoted}}`).pattern;
      expect(pattern, 'no flag leaked into the pattern').not.toMatch(/\/[a-z]*$/);
      expect(() => new RegExp(pattern, 'u')).not.toThrow();
    }
    // As a validating proxy (Stoplight Prism) judges a request against the document.
    const contract = new OpenApiContract(doc as never);
    expect(contract.requestProblem('POST', '/products', { name: 'Mug', priceCents: 1250, stock: 10 })).toBeUndefined();
    expect(
      contract.requestProblem('POST', '/products', {
        name: 'Théière 鉄瓶',
        description: 'Two lines\nand a tab\t',
        priceCents: 1,
        stock: 1,
      }),
    ).toBeUndefined();
    for (const name of ['Mug \u202Egpj.exe', '\u200B', 'Bell\u0007']) {
      expect(contract.requestProblem('POST', '/products', { name, priceCents: 1, stock: 1 }), name).toMatch(/pattern/);
    }
  });

  it('is committed as docs/openapi.json as the code makes it (npm run docs:openapi)', async () => {
    const committed = JSON.parse(await readFile(documentFile, 'utf8'));
    expect(committed, 'docs/openapi.json is stale: run npm run docs:openapi').toEqual(await generatedDocument());
  });

  it('says that an order names each product on one line', () => {
    const items = (doc.components.schemas.PlaceOrderBody as { properties: { items: { description?: string } } })
      .properties.items;
    expect(items.description).toMatch(/one line per product/i);
    expect(items.description).toMatch(/productId repeated .* 400/);
  });

  it('gives every request body an example', () => {
    for (const operations of Object.values(doc.paths)) {
      for (const operation of Object.values(operations)) {
        const ref = operation.requestBody?.content['application/json']?.schema.$ref;
        if (!operation.requestBody) continue;
        const name = ref?.replace('#/components/schemas/', '');
        expect(doc.components.schemas[name!]?.examples?.length, `examples of ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('has examples that the contract’s own schemas accept', () => {
    const schemas = (Object.values(rest) as unknown[]).filter(
      (value): value is z.ZodType => value instanceof z.ZodType,
    );
    let checked = 0;
    for (const schema of schemas) {
      const meta = schema.meta() as { id?: string; examples?: unknown[] } | undefined;
      for (const example of meta?.examples ?? []) {
        const result = schema.safeParse(example);
        expect(result.success, `${meta?.id}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        expect(doc.components.schemas[meta!.id!]?.examples).toContainEqual(example);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('serves an interactive page at /docs, with its assets from this app rather than a CDN', async () => {
    const response = await system.app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const page = await response.text();
    expect(page).toContain('/openapi.json');
    expect(page).not.toMatch(/(src|href)="https?:/);

    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.map((asset) => asset.split('/').pop()).sort()).toEqual(['swagger-ui-bundle.js', 'swagger-ui.css']);
    for (const asset of assets) {
      const served = await system.app.request(asset);
      expect(served.status, asset).toBe(200);
      expect(served.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /text\/css/ : /javascript/);
      expect((await served.arrayBuffer()).byteLength, asset).toBeGreaterThan(10_000);
    }
    expect((await system.app.request('/docs/assets/swagger-ui-dist/package.json')).status).toBe(404);
  });
});
