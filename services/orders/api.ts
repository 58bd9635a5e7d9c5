import { z } from 'zod';
import { IdParam, Order, OrderStats, OrdersQuery, pageOf, PlaceOrderBody } from '../../contracts/rest';
import { defineRoute, errors, json, jsonBody } from '../../http/openapi';

const tags = ['orders'];
const OrderPage = pageOf(Order, 'OrderPage');
const accepted = {
  description: 'accepted: the saga settles it; poll `Location`',
  headers: z.object({ Location: z.string().meta({ description: '`/orders/{id}`' }) }),
  content: { 'application/json': { schema: Order } },
};

export const placeOrder = defineRoute('signed-in', {
  operationId: 'placeOrder',
  method: 'post',
  path: '/orders',
  tags,
  summary: 'Place an order (customers; the token’s subject is the buyer)',
  request: {
    headers: z.object({
      'idempotency-key': z.string().min(1).max(200).optional().meta({
        description:
          'the same key with the same body answers the same order; with another body, 409. A key is kept for IDEMPOTENCY_RETENTION_MS (a day by default)',
      }),
    }),
    body: jsonBody(PlaceOrderBody),
  },
  responses: { 202: accepted, ...errors(400, 401, 403, 409, 413, 415, 503) },
});

export const listOrders = defineRoute('signed-in', {
  operationId: 'listOrders',
  method: 'get',
  path: '/orders',
  tags,
  summary: 'Orders, newest first: a customer’s own, or all for an admin',
  request: { query: OrdersQuery },
  responses: { 200: json(OrderPage, 'a page of orders'), ...errors(400, 401) },
});

export const orderStats = defineRoute('admin', {
  operationId: 'orderStats',
  method: 'get',
  path: '/orders/stats',
  tags,
  summary: 'Counts by status, revenue, average order value, cancellations by reason',
  responses: { 200: json(OrderStats, 'the figures over every order'), ...errors(401, 403) },
});

export const getOrder = defineRoute('signed-in', {
  operationId: 'getOrder',
  method: 'get',
  path: '/orders/{id}',
  tags,
  summary: 'One order with its history (its owner or an admin)',
  request: { params: IdParam },
  responses: { 200: json(Order, 'the order'), ...errors(400, 401, 404) },
});

export const cancelOrder = defineRoute('signed-in', {
  operationId: 'cancelOrder',
  method: 'post',
  path: '/orders/{id}/cancel',
  tags,
  summary: 'Cancel a pending order (its owner or an admin)',
  request: { params: IdParam },
  responses: { 202: accepted, ...errors(400, 401, 403, 404, 409) },
});
