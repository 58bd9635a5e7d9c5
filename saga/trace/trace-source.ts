import { existsSync } from 'node:fs';
import { adminClient, type AdminClientOptions } from '../../lib/http-client';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { databaseFile } from '../../db/sqlite';
import type { SagaStatus } from '../decider/decide';
import * as schema from '../runtime/sqlite/schema';
import { stepLog } from './step-log';
import { sqliteSagaStore } from '../runtime/sqlite/store';
import { toSagaView, toTraceEntry, type SagaView, type TraceEntry } from '../runtime/store';
import type { SagaSummary } from './trace-format';

/** Where the event-trace CLI reads sagas from: the orchestrator's HTTP API or its SQLite file. */
export interface TraceSource {
  /** The saga (null while none was started) and every message of it; TraceError for an unknown order. */
  load(orderId: string): Promise<{ saga: SagaView | null; messages: TraceEntry[] }>;
  /** At most `limit` sagas, newest first. */
  list(status: SagaStatus | undefined, limit: number): Promise<SagaSummary[]>;
  close(): void;
}

/** An expected failure: the CLI prints its message, without a stack, and exits 1. */
export class TraceError extends Error {}

const unknownOrder = (orderId: string) => new TraceError(`unknown order ${orderId}: no saga and no messages`);
const summaryOf = ({ orderId, status, startedAt, updatedAt }: SagaSummary): SagaSummary => ({
  orderId,
  status,
  startedAt,
  updatedAt,
});

/** Reads the saga store file directly, read-only, with the same queries as the REST routes. */
export async function storeSource(dataDir: string): Promise<TraceSource> {
  const file = databaseFile(dataDir, 'orchestrator');
  if (!existsSync(file)) throw new TraceError(`no saga store at ${file}`);
  const client = new Database(file, { readonly: true, fileMustExist: true });
  client.pragma('busy_timeout = 5000');
  const store = sqliteSagaStore(drizzle({ client, schema }));
  return {
    async load(orderId) {
      const saga = await store.findSaga(orderId);
      // One read of the trace: the messages, and the step log read off them.
      const trace = await store.traceOf(orderId);
      if (!saga && trace.length === 0) throw unknownOrder(orderId);
      return { saga: saga ? toSagaView(saga, stepLog(trace)) : null, messages: trace.map(toTraceEntry) };
    },
    list: async (status, limit) => (await store.listSagas(limit, status)).map(summaryOf),
    close: () => client.close(),
  };
}

/** Reads `GET /sagas…` of a running shop, as an admin. */
export function httpSource(options: AdminClientOptions): TraceSource {
  const { get, ok } = adminClient(options);

  return {
    async load(orderId) {
      const id = encodeURIComponent(orderId);
      // The saga first: once it is terminal, every message that made it so is already traced.
      const sagaAnswer = await get(`/sagas/${id}`);
      const traceAnswer = await get(`/sagas/${id}/trace`);
      if (traceAnswer.status === 404) throw unknownOrder(orderId);
      const { messages } = ok(traceAnswer) as { messages: TraceEntry[] };
      return { saga: sagaAnswer.status === 404 ? null : (ok(sagaAnswer) as SagaView), messages };
    },
    async list(status, limit) {
      const rows: SagaSummary[] = [];
      let cursor: string | null = null;
      do {
        const params = new URLSearchParams({ limit: String(Math.min(100, limit - rows.length)) });
        if (status) params.set('status', status);
        if (cursor) params.set('cursor', cursor);
        const page = ok(await get(`/sagas?${params}`)) as { items: SagaSummary[]; nextCursor: string | null };
        rows.push(...page.items.map(summaryOf));
        cursor = page.nextCursor;
      } while (cursor && rows.length < limit);
      return rows;
    },
    close: () => {},
  };
}

/** `PENDING` (an order's word) lists the sagas still running or compensating. */
export type StatusFilter = SagaStatus | 'PENDING';

export async function listSagaSummaries(source: TraceSource, filter: StatusFilter | undefined, limit: number) {
  if (filter !== 'PENDING') return source.list(filter, limit);
  const lists = await Promise.all([source.list('RUNNING', limit), source.list('COMPENSATING', limit)]);
  const newestFirst = (a: SagaSummary, b: SagaSummary) =>
    b.startedAt.localeCompare(a.startedAt) || b.orderId.localeCompare(a.orderId);
  return lists.flat().sort(newestFirst).slice(0, limit);
}
