import type { Database } from '../../db/database';
import { guards } from '../../http/access';
import type { AuthEnv, Tokens } from '../../http/auth';
import { conflict, notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import * as api from './api';
import { toProduct, type ProductRow, type ProductsStore } from './store';
import { newId } from '../../lib/ids';

/** Why a write to `id` changed nothing: it does not exist, or it is archived. */
async function unchanged(database: Database<ProductsStore>, id: string): Promise<never> {
  if (!(await database.read((store) => store.findProduct(id)))) throw notFound('product');
  throw conflict('product is archived');
}

export function productsRoutes(database: Database<ProductsStore>, tokens: Tokens) {
  const guard = guards(tokens);
  return newRouter<AuthEnv>()
    .openapi(guard(api.createProduct), async (c) => {
      const body = c.req.valid('json');
      const now = new Date().toISOString();
      const row: ProductRow = {
        id: newId(),
        name: body.name,
        description: body.description ?? '',
        priceCents: body.priceCents,
        stock: body.stock,
        reserved: 0,
        sold: 0,
        received: body.stock,
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await database.transaction((store) => store.insertProduct(row));
      return c.json(toProduct(row), 201, { Location: `/products/${row.id}` });
    })

    .openapi(guard(api.listProducts), async (c) => {
      const { limit, cursor, name } = c.req.valid('query');
      const rows = await database.read((store) => store.listProducts(limit + 1, { name }, cursor));
      return c.json(
        page(rows, limit, toProduct, (row) => row.id),
        200,
      );
    })

    .openapi(guard(api.getProduct), async (c) => {
      const { id } = c.req.valid('param');
      const product = await database.read((store) => store.findProduct(id));
      if (!product) throw notFound('product');
      return c.json(toProduct(product), 200);
    })

    .openapi(guard(api.updateProduct), async (c) => {
      const { id } = c.req.valid('param');
      const changes = c.req.valid('json');
      const product =
        (await database.transaction((store) => store.updateProduct(id, changes, new Date()))) ??
        (await unchanged(database, id));
      return c.json(toProduct(product), 200);
    })

    .openapi(guard(api.restockProduct), async (c) => {
      const { id } = c.req.valid('param');
      const { quantity } = c.req.valid('json');
      const product =
        (await database.transaction((store) => store.restock(id, quantity, new Date()))) ??
        (await unchanged(database, id));
      return c.json(toProduct(product), 200);
    })

    .openapi(guard(api.archiveProduct), async (c) => {
      const { id } = c.req.valid('param');
      const found = await database.transaction(async (store) => {
        await store.archiveProduct(id, new Date());
        return store.findProduct(id);
      });
      if (!found) throw notFound('product');
      return c.body(null, 204);
    });
}
