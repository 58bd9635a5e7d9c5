import type { DatabaseService } from '../../db/locations';
import { openStores, type StoreReader } from '../support/end-state';
import { locate, type Where } from './stores';
import { serviceNames } from '../../contracts/services';

type Row = Record<string, unknown>;

/** The rows, none when the store is not there (yet), or the error as a row: this only explains a failure. */
async function query(
  stores: StoreReader,
  service: DatabaseService,
  sql: (table: (name: string) => string) => string,
  ...params: unknown[]
): Promise<Row[]> {
  try {
    return await stores.all<Row>(service, sql, ...params);
  } catch (error) {
    return [{ error: String(error) }];
  }
}

/**
 * What every database says about some orders: the order row, its saga (status and state), the
 * saga's trace in order, reservations and payment, plus each outbox's backlog. This is what a
 * stuck order's failure message shows, so the stage where a message went missing is visible.
 * `where` is the cluster (SQLite files or PostgreSQL) or, on SQLite, its data folder.
 */
export async function describeOrders(where: Where, orderIds: readonly string[], limit = 8): Promise<string> {
  let stores: StoreReader;
  try {
    stores = await openStores(locate(where), { missing: 'empty' });
  } catch (error) {
    return `could not open the stores: ${String(error)}`;
  }
  try {
    return await describe(stores, orderIds, limit);
  } finally {
    await stores.close();
  }
}

async function describe(stores: StoreReader, orderIds: readonly string[], limit: number): Promise<string> {
  const lines: string[] = [];
  const outboxes: string[] = [];
  for (const service of serviceNames) {
    const [row] = await query(stores, service, (t) => `SELECT count(*) AS n FROM ${t('outbox')}`);
    outboxes.push(`${service}=${String(row?.n ?? '?')}`);
  }
  lines.push(`unpublished outbox rows: ${outboxes.join(' ')}`);
  const stages: Record<string, number> = {};
  for (const id of orderIds) {
    const [saga] = await query(
      stores,
      'orchestrator',
      (t) => `SELECT status FROM ${t('sagas')} WHERE order_id = ?`,
      id,
    );
    const [last] = await query(
      stores,
      'orchestrator',
      (t) => `SELECT type, direction FROM ${t('saga_trace')} WHERE order_id = ? ORDER BY seq DESC LIMIT 1`,
      id,
    );
    const stage = saga
      ? `saga ${String(saga.status)}, last ${last ? `${String(last.type)} ${String(last.direction)}` : 'nothing'}`
      : 'no saga (OrderRequested never applied)';
    stages[stage] = (stages[stage] ?? 0) + 1;
  }
  lines.push(`stuck orders by stage: ${JSON.stringify(stages)}`);
  for (const id of orderIds.slice(0, limit)) {
    const [order] = await query(
      stores,
      'orders',
      (t) => `SELECT status, reason, detail FROM ${t('orders')} WHERE id = ?`,
      id,
    );
    const history = await query(
      stores,
      'orders',
      (t) => `SELECT status, reason, detail FROM ${t('order_history')} WHERE order_id = ? ORDER BY seq`,
      id,
    );
    const [saga] = await query(
      stores,
      'orchestrator',
      (t) => `SELECT status, version, state FROM ${t('sagas')} WHERE order_id = ?`,
      id,
    );
    const trace = await query(
      stores,
      'orchestrator',
      (t) =>
        `SELECT type, producer, instance, consumer, direction, outcome, note FROM ${t('saga_trace')} WHERE order_id = ? ORDER BY seq`,
      id,
    );
    const reservations = await query(
      stores,
      'products',
      (t) => `SELECT product_id, quantity, status FROM ${t('reservations')} WHERE order_id = ?`,
      id,
    );
    const payments = await query(
      stores,
      'payments',
      (t) => `SELECT status, amount_cents, decline_reason FROM ${t('payments')} WHERE order_id = ?`,
      id,
    );
    lines.push(`order ${id}`);
    lines.push(`  orders: ${JSON.stringify(order ?? 'MISSING')}; history ${history.map((h) => h.status).join('→')}`);
    lines.push(
      `  saga: ${saga ? `${String(saga.status)} v${String(saga.version)} ${String(saga.state).slice(0, 400)}` : 'NONE'}`,
    );
    lines.push(
      `  trace: ${
        trace
          .map(
            (t) =>
              `${String(t.type)}(${String(t.direction)} ${String(t.outcome)}${t.instance ? ` @${String(t.instance)}` : ''}${t.note ? `: ${String(t.note)}` : ''})`,
          )
          .join(' → ') || 'empty'
      }`,
    );
    lines.push(`  reservations: ${JSON.stringify(reservations)}; payments: ${JSON.stringify(payments)}`);
  }
  if (orderIds.length > limit) lines.push(`… and ${orderIds.length - limit} more`);
  return lines.join('\n');
}
