import type { SqliteDb } from '../../db/sqlite';
import { guards } from '../../http/access';
import type { AuthEnv, Tokens } from '../../http/auth';
import { conflict, notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import * as api from './api';
import type { ProductRow } from './sqlite/schema';
import { archiveProduct, findProduct, insertProduct, listProducts, restock, toProduct, updateProduct } from './store';
import { newId } from '../../lib/ids';

/** Why a write to `id` changed nothing: it does not exist, or it is archived. */
function unchanged(db: SqliteDb, id: string): never {
  if (!findProduct(db, id)) throw notFound('product');
  throw conflict('product is archived');
}

export function productsRoutes(db: SqliteDb, tokens: Tokens) {
  const guard = guards(tokens);
  return newRouter<AuthEnv>()
    .openapi(guard(api.createProduct), (c) => {
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
      insertProduct(db, row);
      return c.json(toProduct(row), 201, { Location: `/products/${row.id}` });
    })

    .openapi(guard(api.listProducts), (c) => {
      const { limit, cursor, name } = c.req.valid('query');
      return c.json(
        page(listProducts(db, limit + 1, { name }, cursor), limit, toProduct, (row) => row.id),
        200,
      );
    })

    .openapi(guard(api.getProduct), (c) => {
      const product = findProduct(db, c.req.valid('param').id);
      if (!product) throw notFound('product');
      return c.json(toProduct(product), 200);
    })

    .openapi(guard(api.updateProduct), (c) => {
      const { id } = c.req.valid('param');
      const product = updateProduct(db, id, c.req.valid('json'), new Date()) ?? unchanged(db, id);
      return c.json(toProduct(product), 200);
    })

    .openapi(guard(api.restockProduct), (c) => {
      const { id } = c.req.valid('param');
      const product = restock(db, id, c.req.valid('json').quantity, new Date()) ?? unchanged(db, id);
      return c.json(toProduct(product), 200);
    })

    .openapi(guard(api.archiveProduct), (c) => {
      const { id } = c.req.valid('param');
      archiveProduct(db, id, new Date());
      if (!findProduct(db, id)) throw notFound('product');
      return c.body(null, 204);
    });
}
