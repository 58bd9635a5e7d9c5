import { z } from 'zod';
import { ListQuery, OrderIdParam, pageOf, SagaDiagram, SagaTrace, SagaView } from '../../contracts/rest';
import { defineRoute, errors, json } from '../../http/openapi';

const tags = ['sagas'];

export const SagasQuery = ListQuery.extend({
  status: z.enum(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED']).optional(),
});

export const listSagas = defineRoute('admin', {
  operationId: 'listSagas',
  method: 'get',
  path: '/sagas',
  tags,
  summary: 'Sagas, newest first, optionally by status',
  request: { query: SagasQuery },
  responses: {
    200: json(pageOf(SagaView, 'SagaPage'), 'a page of sagas (without their steps)'),
    ...errors(400, 401, 403),
  },
});

export const getSaga = defineRoute('admin', {
  operationId: 'getSaga',
  method: 'get',
  path: '/sagas/{orderId}',
  tags,
  summary: 'An order’s saga: its state and step log',
  request: { params: OrderIdParam },
  responses: { 200: json(SagaView, 'the saga'), ...errors(400, 401, 403, 404) },
});

export const sagaTrace = defineRoute('admin', {
  operationId: 'sagaTrace',
  method: 'get',
  path: '/sagas/{orderId}/trace',
  tags,
  summary: 'Every message of an order’s saga, in order',
  request: { params: OrderIdParam },
  responses: { 200: json(SagaTrace, 'the trace'), ...errors(400, 401, 403, 404) },
});

export const sagaDiagram = defineRoute('admin', {
  operationId: 'sagaDiagram',
  method: 'get',
  path: '/sagas/{orderId}/diagram',
  tags,
  summary: 'An order’s saga as a Mermaid sequence diagram (what the web view draws)',
  request: { params: OrderIdParam },
  responses: { 200: json(SagaDiagram, 'the diagram'), ...errors(400, 401, 403, 404) },
});
