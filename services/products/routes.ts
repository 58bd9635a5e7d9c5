import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { CreateProductBody, ListQuery } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import { authenticate, requireAdmin, type AuthEnv, type Tokens } from '../../http/auth';
import { notFound } from '../../http/errors';
import { page } from '../../http/pagination';
import { jsonBody, params, query } from '../../http/validate';
import { findProduct, insertProduct, listProducts, toProduct } from './store';

const IdParam = z.object({ id: z.uuid() });

export function productsRoutes(db: SqliteDb, tokens: Tokens) {
  return new Hono<AuthEnv>()
    .post('/products', authenticate(tokens), requireAdmin, jsonBody(CreateProductBody), (c) => {
      const body = c.req.valid('json');
      const now = new Date().toISOString();
      const row = {
        id: randomUUID(),
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

    .get('/products', query(ListQuery), (c) => {
      const { limit, cursor } = c.req.valid('query');
      return c.json(page(listProducts(db, limit + 1, cursor), limit, toProduct, (row) => row.id));
    })

    .get('/products/:id', params(IdParam), (c) => {
      const product = findProduct(db, c.req.valid('param').id);
      if (!product) throw notFound('product');
      return c.json(toProduct(product));
    });
}
