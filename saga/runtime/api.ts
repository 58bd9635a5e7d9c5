import { z } from 'zod';
import { CancelReason } from '../../contracts';
import {
  ExtendSagaBody,
  ListQuery,
  OrderIdParam,
  SagaActionBody,
  SagaActionResult,
  SagaDiagram,
  SagaPage,
  SagaTrace,
  SagaView,
} from '../../contracts/rest';
import { orderSagaDefinitions } from '../../contracts/steps';
import { defineRoute, errors, json, jsonBody } from '../../http/openapi';

const tags = ['sagas'];

/** Every step of every table this release runs: what a saga may await. */
const stepNames = [...new Set(orderSagaDefinitions.flatMap((definition) => Object.keys(definition.steps)))] as [
  string,
  ...string[],
];

/** An ISO time, any offset, as the store keeps times (UTC, milliseconds), so that they compare as text. */
const Time = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((time) => new Date(time).toISOString())
    .optional()
    .meta({ description });
/** Whole cents, as digits (z.coerce would take '' for 0, and the document would say it may be null). */
const Cents = (description: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number of cents')
    .transform(Number)
    .optional()
    .meta({ description });

/** The search of GET /sagas: every parameter given narrows it (AND). */
export const SagasQuery = ListQuery.extend({
  status: z
    .enum(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED', 'PENDING'])
    .optional()
    .meta({ description: 'PENDING: RUNNING or COMPENSATING' }),
  reason: CancelReason.optional().meta({
    description: 'sagas that failed for this reason (compensating or cancelled)',
  }),
  customer: z.uuid().optional().meta({ description: 'the user who placed the order' }),
  product: z.uuid().optional().meta({ description: 'a product among the order’s lines' }),
  step: z.enum(stepNames).optional().meta({ description: 'a step whose answer the saga awaits' }),
  createdFrom: Time('started at or after this time'),
  createdTo: Time('started before this time'),
  endedFrom: Time('ended (CONFIRMED or CANCELLED) at or after this time'),
  endedTo: Time('ended before this time'),
  totalMin: Cents('an order total of at least this many cents (known once the stock was reserved)'),
  totalMax: Cents('an order total of at most this many cents'),
  count: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: '`true`: the page also says how many sagas match in all (it reads every match)' }),
});

export const listSagas = defineRoute('admin', {
  operationId: 'listSagas',
  method: 'get',
  path: '/sagas',
  tags,
  summary: 'Sagas, newest first, searched by what they are about',
  request: { query: SagasQuery },
  responses: {
    200: json(SagaPage, 'a page of sagas (without their steps)'),
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
