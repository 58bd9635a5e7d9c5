import type { Database } from '../../db/database';
import { guards } from '../../http/access';
import type { AuthEnv, Tokens } from '../../http/auth';
import { notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import * as api from './api';
import { isFinished, type SagaEnd } from '../trace/trace-format';
import { mermaidSaga } from '../trace/trace-picture';
import { stepLog } from '../trace/step-log';
import { toSagaView, toTraceEntry, type SagaStore } from './store';

export function sagaRoutes(database: Database<SagaStore>, tokens: Tokens) {
  const guard = guards(tokens);
  /** The saga, if it started, and every message of it, read together. */
  const sagaAndTrace = (orderId: string) =>
    database.read(async (store) => ({ saga: await store.findSaga(orderId), trace: await store.traceOf(orderId) }));
  return newRouter<AuthEnv>()
    .openapi(guard(api.listSagas), async (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const rows = await database.read((store) => store.listSagas(limit + 1, status, cursor));
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

    .openapi(guard(api.getSaga), async (c) => {
      const { orderId } = c.req.valid('param');
      const { saga, trace } = await sagaAndTrace(orderId);
      if (!saga) throw notFound('saga');
      return c.json(toSagaView(saga, stepLog(trace)), 200);
    })

    .openapi(guard(api.sagaTrace), async (c) => {
      const { orderId } = c.req.valid('param');
      const { saga, trace } = await sagaAndTrace(orderId);
      if (!saga && trace.length === 0) throw notFound('saga');
      return c.json({ orderId, status: saga?.status ?? null, messages: trace.map(toTraceEntry) }, 200);
    })

    .openapi(guard(api.sagaDiagram), async (c) => {
      const { orderId } = c.req.valid('param');
      const { saga: row, trace } = await sagaAndTrace(orderId);
      const messages = trace.map(toTraceEntry);
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
