import {
  CreateProductBody,
  IdParam,
  pageOf,
  Product,
  ProductsQuery,
  RestockBody,
  UpdateProductBody,
} from '../../contracts/rest';
import { defineRoute, errors, json, jsonBody } from '../../http/openapi';

const tags = ['products'];

export const createProduct = defineRoute('admin', {
  operationId: 'createProduct',
  method: 'post',
  path: '/products',
  tags,
  summary: 'Add a product to the catalogue',
  request: { body: jsonBody(CreateProductBody) },
  responses: { 201: json(Product, 'the new product'), ...errors(400, 401, 403, 413, 415) },
});

export const listProducts = defineRoute('anyone', {
  operationId: 'listProducts',
  method: 'get',
  path: '/products',
  tags,
  summary: 'The catalogue by id, without archived products; `name` filters by a part of the name',
  request: { query: ProductsQuery },
  responses: { 200: json(pageOf(Product, 'ProductPage'), 'a page of products'), ...errors(400) },
});

export const getProduct = defineRoute('anyone', {
  operationId: 'getProduct',
  method: 'get',
  path: '/products/{id}',
  tags,
  summary: 'One product, archived ones included (old orders name them)',
  request: { params: IdParam },
  responses: { 200: json(Product, 'the product'), ...errors(400, 404) },
});

export const updateProduct = defineRoute('admin', {
  operationId: 'updateProduct',
  method: 'patch',
  path: '/products/{id}',
  tags,
  summary: 'Rename, describe or reprice a product; orders already reserved keep their price',
  request: { params: IdParam, body: jsonBody(UpdateProductBody) },
  responses: { 200: json(Product, 'the updated product'), ...errors(400, 401, 403, 404, 409, 413, 415) },
});

export const restockProduct = defineRoute('admin', {
  operationId: 'restockProduct',
  method: 'post',
  path: '/products/{id}/restock',
  tags,
  summary: 'Put more units on the shelf',
  request: { params: IdParam, body: jsonBody(RestockBody) },
  responses: { 200: json(Product, 'the restocked product'), ...errors(400, 401, 403, 404, 409, 413, 415) },
});

export const archiveProduct = defineRoute('admin', {
  operationId: 'archiveProduct',
  method: 'delete',
  path: '/products/{id}',
  tags,
  summary: 'Archive a product: hidden from the catalogue, refused by new orders (UNKNOWN_PRODUCT)',
  request: { params: IdParam },
  responses: { 204: { description: 'archived (again, if it already was)' }, ...errors(400, 401, 403, 404) },
});
