import { existsSync } from 'node:fs';
import { adminClient, type AdminClientOptions } from '../../lib/http-client';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { databaseFile } from '../../db/sqlite';
import * as schema from '../runtime/sqlite/schema';
import { stepLog } from './step-log';
import { sqliteSagaStore } from '../runtime/sqlite/store';
import { toSagaView, toTraceEntry, type SagaFilter, type SagaView, type TraceEntry } from '../runtime/store';
import { page } from '../../http/pagination';

/** What GET /sagas searches by (its query, less the paging): the store's filter. */
export type SagaSearch = SagaFilter;

/** A page of a search: its sagas, the cursor of the next page, and how many match in all when asked. */
export interface SearchPage {
  items: SagaView[];
  nextCursor: string | null;
  count?: number;
}

/** Where the event-trace CLI reads sagas from: the orchestrator's HTTP API or its SQLite file. */
export interface TraceSource {
  /** Up to `limit` sagas matching `search`, newest first, after `cursor`; with the count when `count`. */
  search(search: SagaSearch, page: { limit: number; cursor?: string; count?: boolean }): Promise<SearchPage>;
  /** The id of the user with this e-mail, or undefined (the users service's GET /users?email=). */
  userByEmail(email: string): Promise<string | undefined>;
  /** The saga (null while none was started) and every message of it; TraceError for an unknown order. */
  load(orderId: string): Promise<{ saga: SagaView | null; messages: TraceEntry[] }>;
  close(): void;
}

/** An expected failure: the CLI prints its message, without a stack, and exits 1. */
export class TraceError extends Error {}

const unknownOrder = (orderId: string) => new TraceError(`unknown order ${orderId}: no saga and no messages`);

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
    async search(search, { limit, cursor, count }) {
      const rows = await store.listSagas(search, limit + 1, cursor);
      return {
        ...page(
          rows,
          limit,
          (row) => toSagaView(row, []),
          (row) => row.orderId,
        ),
        ...(count && { count: await store.countSagas(search) }),
      };
    },
    userByEmail: async () => {
      throw new TraceError(
        "the saga store knows customers by id only: give the customer's id, or ask the shop (--url)",
      );
    },
    close: () => client.close(),
  };
}

/** Reads `GET /sagas…` of a running shop, as an admin. */
export function httpSource(options: AdminClientOptions): TraceSource {
  const { get, ok } = adminClient(options);

  return {
    async search(search, { limit, cursor, count }) {
      const params = new URLSearchParams(
        Object.entries(search).map(([name, value]): [string, string] => [name, String(value)]),
      );
      params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      if (count) params.set('count', 'true');
      return ok(await get(`/sagas?${params}`)) as SearchPage;
    },
    async userByEmail(email) {
      const { items } = ok(await get(`/users?email=${encodeURIComponent(email)}`)) as { items: { id: string }[] };
      return items[0]?.id;
    },
    async load(orderId) {
      const id = encodeURIComponent(orderId);
      // The saga first: once it is terminal, every message that made it so is already traced.
      const sagaAnswer = await get(`/sagas/${id}`);
      const traceAnswer = await get(`/sagas/${id}/trace`);
      if (traceAnswer.status === 404) throw unknownOrder(orderId);
      const { messages } = ok(traceAnswer) as { messages: TraceEntry[] };
      return { saga: sagaAnswer.status === 404 ? null : (ok(sagaAnswer) as SagaView), messages };
    },
    close: () => {},
  };
}
