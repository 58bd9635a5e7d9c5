import { readAuditStateWith } from '../../app/operator/audit/read-state';
import { auditViolations } from '../../app/operator/audit/violations';
import type { ServiceName } from '../../contracts';
import type { ShopData } from './shop-data';
import { serviceNames } from '../../contracts/services';

const count = async (data: ShopData, service: ServiceName, from: string) =>
  (await data.query<{ n: number }>(service, `SELECT CAST(count(*) AS INTEGER) AS n FROM ${from}`))[0]!.n;

/** Waits until every order placed is terminal and every outbox is empty. */
export async function waitSettled(data: ShopData, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await count(data, 'orders', "orders WHERE status = 'PENDING'");
    let outboxes = 0;
    for (const service of serviceNames) outboxes += await count(data, service, 'outbox');
    if (pending === 0 && outboxes === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} orders still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creation to terminal, per saga, as the orders service recorded it (ms), for orders placed since `since`. */
export async function sagaLatencies(data: ShopData, since: string): Promise<{ ms: number[]; sagasPerSecond: number }> {
  const rows = await data.query<{ created: string; ended: string }>(
    'orders',
    "SELECT created_at AS created, updated_at AS ended FROM orders WHERE status <> 'PENDING' AND created_at >= $1",
    since,
  );
  const spans = rows.map((row) => ({ created: Date.parse(row.created), ended: Date.parse(row.ended) }));
  const first = Math.min(...spans.map((span) => span.created));
  const last = Math.max(...spans.map((span) => span.ended));
  return {
    ms: spans.map((span) => span.ended - span.created),
    sagasPerSecond: rows.length / Math.max(0.001, (last - first) / 1000),
  };
}

/** Messages the services handled, per saga: each service's inbox holds one row per message. */
export async function messagesPerSaga(data: ShopData): Promise<number> {
  let handled = 0;
  for (const service of serviceNames) handled += await count(data, service, 'inbox');
  return handled / (await count(data, 'orchestrator', 'sagas'));
}

/** Every order the shop holds, by id: its status and, once cancelled, the reason. */
export async function ordersByStatus(data: ShopData): Promise<Map<string, { status: string; reason: string | null }>> {
  const rows = await data.query<{ id: string; status: string; reason: string | null }>(
    'orders',
    'SELECT id, status, reason FROM orders',
  );
  return new Map(rows.map(({ id, ...order }) => [id, order]));
}

/** Inbox ids (of every service) and saga trace entries held: the rows kept only for a while. */
export async function rowsKeptForAWhile(data: ShopData): Promise<{ inbox: number; trace: number }> {
  let inbox = 0;
  for (const service of serviceNames) inbox += await count(data, service, 'inbox');
  return { inbox, trace: await count(data, 'orchestrator', 'saga_trace') };
}

/**
 * The design's invariants over the run: what `npm run audit` checks (app/operator/audit), plus stock
 * conserved against what the bench itself stocked (one product). Violations, as text.
 */
export async function invariantViolations(data: ShopData, stocked: number): Promise<string[]> {
  const state = await readAuditStateWith((service, read) => data.snapshot(service, read));
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
