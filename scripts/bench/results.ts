import { join } from 'node:path';
import { readAuditState } from '../../app/audit/read-state';
import { auditViolations } from '../../app/audit/violations';
import Database from 'better-sqlite3';

const open = (dataDir: string, service: string) =>
  new Database(join(dataDir, `${service}.db`), { readonly: true, fileMustExist: true });

function query<T>(dataDir: string, service: string, sql: string, ...params: unknown[]): T[] {
  const db = open(dataDir, service);
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Waits until every order placed is terminal and every outbox is empty. */
export async function waitSettled(dataDir: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ pending }] = query<{ pending: number }>(
      dataDir,
      'orders',
      "SELECT count(*) AS pending FROM orders WHERE status = 'PENDING'",
    ) as [{ pending: number }];
    const outboxes = ['users', 'products', 'orders', 'payments', 'orchestrator'].reduce(
      (sum, service) => sum + query<{ n: number }>(dataDir, service, 'SELECT count(*) AS n FROM outbox')[0]!.n,
      0,
    );
    if (pending === 0 && outboxes === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} orders still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creation to terminal, per saga, as the orders service recorded it (ms), for orders placed since `since`. */
export function sagaLatencies(dataDir: string, since: string): { ms: number[]; sagasPerSecond: number } {
  const rows = query<{ ms: number; created: string; ended: string }>(
    dataDir,
    'orders',
    `SELECT (julianday(updated_at) - julianday(created_at)) * 86400000.0 AS ms, created_at AS created, updated_at AS ended
       FROM orders WHERE status <> 'PENDING' AND created_at >= ?`,
    since,
  );
  const first = Math.min(...rows.map((row) => Date.parse(row.created)));
  const last = Math.max(...rows.map((row) => Date.parse(row.ended)));
  return { ms: rows.map((row) => row.ms), sagasPerSecond: rows.length / Math.max(0.001, (last - first) / 1000) };
}

/** Messages the services handled, per saga: each service's inbox holds one row per message. */
export function messagesPerSaga(dataDir: string): number {
  const handled = ['users', 'products', 'orders', 'payments', 'orchestrator'].reduce(
    (sum, service) => sum + query<{ n: number }>(dataDir, service, 'SELECT count(*) AS n FROM inbox')[0]!.n,
    0,
  );
  const [{ sagas }] = query<{ sagas: number }>(dataDir, 'orchestrator', 'SELECT count(*) AS sagas FROM sagas') as [
    { sagas: number },
  ];
  return handled / sagas;
}

/** Every order the shop holds, by id: its status and, once cancelled, the reason. */
export function ordersByStatus(dataDir: string): Map<string, { status: string; reason: string | null }> {
  const rows = query<{ id: string; status: string; reason: string | null }>(
    dataDir,
    'orders',
    'SELECT id, status, reason FROM orders',
  );
  return new Map(rows.map(({ id, ...order }) => [id, order]));
}

/** Inbox ids (of every service) and saga trace entries held: the rows kept only for a while. */
export function rowsKeptForAWhile(dataDir: string): { inbox: number; trace: number } {
  const count = (service: string, table: string) =>
    query<{ n: number }>(dataDir, service, `SELECT count(*) AS n FROM ${table}`)[0]!.n;
  const services = ['users', 'products', 'orders', 'payments', 'orchestrator'];
  return {
    inbox: services.reduce((sum, service) => sum + count(service, 'inbox'), 0),
    trace: count('orchestrator', 'saga_trace'),
  };
}

/**
 * The design's invariants over the run: what `npm run audit` checks (app/audit), plus stock
 * conserved against what the bench itself stocked (one product). Violations, as text.
 */
export async function invariantViolations(dataDir: string, stocked: number): Promise<string[]> {
  const state = await readAuditState(dataDir);
  const [product] = state.products;
  if (!product) return ['no product'];
  return [
    ...(product.received === stocked ? [] : [`${product.received} units received, ${stocked} stocked`]),
    ...auditViolations(state).map((violation) => violation.message),
  ];
}

export const percentile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
