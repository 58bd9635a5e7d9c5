import { z } from 'zod';
import {
  ExtendSagaBody,
  ListQuery,
  OrderIdParam,
  pageOf,
  SagaActionBody,
  SagaActionResult,
  SagaDiagram,
  SagaTrace,
  SagaView,
} from '../../contracts/rest';
import { defineRoute, errors, json, jsonBody } from '../../http/openapi';

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

/** An operator's action on one saga: 202 while it runs, 409 once it has ended. */
const action = <B extends typeof SagaActionBody>(name: 'cancel' | 'retry' | 'extend', summary: string, body: B) =>
  defineRoute('admin', {
    operationId: `${name}Saga`,
    method: 'post',
    path: `/sagas/{orderId}/${name}`,
    tags,
    summary,
    request: {
      params: OrderIdParam,
      headers: z.object({
        'idempotency-key': z.string().min(1).max(200).optional().meta({
          description:
            'the same key for the same action on the same saga acts once: a repeat answers replayed, doing nothing. Kept as long as a handled message (INBOX_RETENTION_MS)',
        }),
      }),
      body: jsonBody(body),
    },
    responses: {
      202: json(SagaActionResult, 'done: what the action did'),
      ...errors(400, 401, 403, 404, 409, 413, 415),
    },
  });

export const cancelSaga = action(
  'cancel',
  'Cancel a running saga: it compensates, and the order ends CANCELLED_BY_OPERATOR',
  SagaActionBody,
);
export const retrySaga = action('retry', 'Send the command of every step still awaited again', SagaActionBody);
export const extendSaga = action(
  'extend',
  'Move the awaited steps’ deadlines on (at most SAGA_MAX_EXTEND_MS)',
  ExtendSagaBody,
);
