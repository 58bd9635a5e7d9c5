import { Hono } from 'hono';
import { z } from 'zod';
import { ListQuery } from '../contracts/rest';
import type { SqliteDb } from '../db/sqlite';
import { authenticate, requireAdmin, type AuthEnv, type Tokens } from '../http/auth';
import { notFound } from '../http/errors';
import { page } from '../http/pagination';
import { params, query } from '../http/validate';
import { findSaga, listSagas, stepsOf, toSagaView, toTraceEntry, traceOf } from './store';

const OrderIdParam = z.object({ orderId: z.uuid() });
const SagasQuery = ListQuery.extend({
  status: z.enum(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED']).optional(),
});

export function sagaRoutes(db: SqliteDb, tokens: Tokens) {
  const admin = [authenticate(tokens), requireAdmin] as const;
  return new Hono<AuthEnv>()
    .get('/sagas', ...admin, query(SagasQuery), (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const rows = listSagas(db, limit + 1, status, cursor);
      return c.json(
        page(
          rows,
          limit,
          (row) => toSagaView(row, []),
          (row) => row.orderId,
        ),
      );
    })

    .get('/sagas/:orderId', ...admin, params(OrderIdParam), (c) => {
      const { orderId } = c.req.valid('param');
      const saga = findSaga(db, orderId);
      if (!saga) throw notFound('saga');
      return c.json(toSagaView(saga, stepsOf(db, orderId)));
    })

    .get('/sagas/:orderId/trace', ...admin, params(OrderIdParam), (c) => {
      const { orderId } = c.req.valid('param');
      const saga = findSaga(db, orderId);
      const messages = traceOf(db, orderId);
      if (!saga && messages.length === 0) throw notFound('saga');
      return c.json({ orderId, status: saga?.status ?? null, messages: messages.map(toTraceEntry) });
    });
}
