import type { SqliteDb } from '../db/sqlite';
import { guards } from '../http/access';
import type { AuthEnv, Tokens } from '../http/auth';
import { notFound } from '../http/errors';
import { newRouter } from '../http/openapi';
import { page } from '../http/pagination';
import * as api from './api';
import { isFinished, type SagaEnd } from './trace-format';
import { mermaidSaga } from './trace-picture';
import { findSaga, listSagas, stepsOf, toSagaView, toTraceEntry, traceOf } from './store';

export function sagaRoutes(db: SqliteDb, tokens: Tokens) {
  const guard = guards(tokens);
  return newRouter<AuthEnv>()
    .openapi(guard(api.listSagas), (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const rows = listSagas(db, limit + 1, status, cursor);
      return c.json(
        page(
          rows,
          limit,
          (row) => toSagaView(row, []),
          (row) => row.orderId,
        ),
        200,
      );
    })

    .openapi(guard(api.getSaga), (c) => {
      const { orderId } = c.req.valid('param');
      const saga = findSaga(db, orderId);
      if (!saga) throw notFound('saga');
      return c.json(toSagaView(saga, stepsOf(db, orderId)), 200);
    })

    .openapi(guard(api.sagaTrace), (c) => {
      const { orderId } = c.req.valid('param');
      const saga = findSaga(db, orderId);
      const messages = traceOf(db, orderId);
      if (!saga && messages.length === 0) throw notFound('saga');
      return c.json({ orderId, status: saga?.status ?? null, messages: messages.map(toTraceEntry) }, 200);
    })

    .openapi(guard(api.sagaDiagram), (c) => {
      const { orderId } = c.req.valid('param');
      const row = findSaga(db, orderId);
      const messages = traceOf(db, orderId).map(toTraceEntry);
      if (!row && messages.length === 0) throw notFound('saga');
      const saga = row ? (toSagaView(row, []) as SagaEnd) : null;
      return c.json(
        {
          orderId,
          status: saga?.status ?? null,
          finished: isFinished(saga),
          mermaid: mermaidSaga(messages, saga).join('\n'),
        },
        200,
      );
    });
}
