import type { Database } from '../../db/database';
import { guards } from '../../http/access';
import type { AuthEnv, Tokens } from '../../http/auth';
import type { Context } from 'hono';
import { LeftToOthers } from '../../broker/messaging/left-to-others';
import { conflict, HttpError, notFound } from '../../http/errors';
import type { OperatorAction } from '../decider/state';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import * as api from './api';
import { isFinished, type SagaEnd } from '../trace/trace-format';
import { mermaidSaga } from '../trace/trace-picture';
import { stepLog } from '../trace/step-log';
import { toSagaView, toTraceEntry, type SagaStore } from './store';

/** What an operator's action came to: done (maybe changing nothing, and why), or refused. */
export type Acted =
  | { kind: 'done'; status: string; sent: string[]; ignored?: string; replayed?: true }
  | { kind: 'ended'; status: string }
  | { kind: 'unknown' };

interface Operations {
  /** `key`: the caller's Idempotency-Key, under which the action is done once. */
  act: (action: OperatorAction, key?: string) => Promise<Acted>;
  maxExtendMs: number;
}

export function sagaRoutes(database: Database<SagaStore>, tokens: Tokens, { act, maxExtendMs }: Operations) {
  const guard = guards(tokens);
  /** Runs the action as the calling admin and answers what it did. */
  const answer = async (c: Context<AuthEnv>, name: 'cancel' | 'retry' | 'extend', action: OperatorAction) => {
    const acted = await act(action, c.req.header('idempotency-key')).catch((error: unknown) => {
      if (error instanceof LeftToOthers) throw new HttpError(503, error.message);
      throw error;
    });
    if (acted.kind === 'unknown') throw notFound('saga');
    if (acted.kind === 'ended') throw conflict(`the saga has ended: ${acted.status}`);
    const { kind: _kind, ...done } = acted;
    return c.json({ orderId: action.data.orderId, action: name, ...done }, 202);
  };
  /** The saga, if it started, and every message of it, read together. */
  const sagaAndTrace = (orderId: string) =>
    database.read(async (store) => ({ saga: await store.findSaga(orderId), trace: await store.traceOf(orderId) }));
  return newRouter<AuthEnv>()
    .openapi(guard(api.listSagas), async (c) => {
      const { limit, cursor, count, ...filter } = c.req.valid('query');
      // The count reads every match, so only when asked for.
      const { rows, matching } = await database.read(async (store) => ({
        rows: await store.listSagas(filter, limit + 1, cursor),
        matching: count === 'true' ? await store.countSagas(filter) : undefined,
      }));
      return c.json(
        {
          ...page(
            rows,
            limit,
            (row) => toSagaView(row, []),
            (row) => row.orderId,
          ),
          ...(matching !== undefined && { count: matching }),
        },
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

    .openapi(guard(api.cancelSaga), async (c) => {
      const { orderId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      return answer(c, 'cancel', { type: 'CancelSaga', data: { orderId, by: c.get('caller').id, reason } });
    })

    .openapi(guard(api.retrySaga), async (c) => {
      const { orderId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      return answer(c, 'retry', { type: 'RetrySaga', data: { orderId, by: c.get('caller').id, reason } });
    })

    .openapi(guard(api.extendSaga), async (c) => {
      const { orderId } = c.req.valid('param');
      const { reason, byMs } = c.req.valid('json');
      if (byMs > maxExtendMs)
        throw new HttpError(400, `byMs is above ${maxExtendMs}, the most SAGA_MAX_EXTEND_MS allows`);
      return answer(c, 'extend', { type: 'ExtendSaga', data: { orderId, by: c.get('caller').id, reason, byMs } });
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
          mermaid: mermaidSaga(messages, saga, new Date()).join('\n'),
        },
        200,
      );
    });
}
