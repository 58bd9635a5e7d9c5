import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

type Row = Record<string, unknown>;

function query(dataDir: string, file: string, sql: string, ...params: unknown[]): Row[] {
  const path = join(dataDir, `${file}.db`);
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as Row[];
  } catch (error) {
    return [{ error: String(error) }];
  } finally {
    db.close();
  }
}

/**
 * What every database says about some orders: the order row, its saga (status and state), the
 * saga's trace in order, reservations and payment, plus each outbox's backlog. This is what a
 * stuck order's failure message shows, so the stage where a message went missing is visible.
 */
export function describeOrders(dataDir: string, orderIds: readonly string[], limit = 8): string {
  const lines: string[] = [];
  const outboxes = ['users', 'products', 'orders', 'payments', 'orchestrator'].map(
    (file) => `${file}=${String(query(dataDir, file, 'SELECT count(*) AS n FROM outbox')[0]?.n ?? '?')}`,
  );
  lines.push(`unpublished outbox rows: ${outboxes.join(' ')}`);
  const stages: Record<string, number> = {};
  for (const id of orderIds) {
    const saga = query(dataDir, 'orchestrator', 'SELECT status, state FROM sagas WHERE order_id = ?', id)[0];
    const trace = query(
      dataDir,
      'orchestrator',
      'SELECT type, direction, outcome, note FROM saga_trace WHERE order_id = ? ORDER BY seq',
      id,
    );
    const stage = saga
      ? `saga ${String(saga.status)}, last ${trace.length ? `${String(trace.at(-1)!.type)} ${String(trace.at(-1)!.direction)}` : 'nothing'}`
      : 'no saga (OrderRequested never applied)';
    stages[stage] = (stages[stage] ?? 0) + 1;
  }
  lines.push(`stuck orders by stage: ${JSON.stringify(stages)}`);
  for (const id of orderIds.slice(0, limit)) {
    const order = query(dataDir, 'orders', 'SELECT status, reason, detail FROM orders WHERE id = ?', id)[0];
    const history = query(
      dataDir,
      'orders',
      'SELECT status, reason, detail FROM order_history WHERE order_id = ? ORDER BY seq',
      id,
    );
    const saga = query(dataDir, 'orchestrator', 'SELECT status, version, state FROM sagas WHERE order_id = ?', id)[0];
    const trace = query(
      dataDir,
      'orchestrator',
      'SELECT type, producer, consumer, direction, outcome, note FROM saga_trace WHERE order_id = ? ORDER BY seq',
      id,
    );
    const reservations = query(
      dataDir,
      'products',
      'SELECT product_id, quantity, status FROM reservations WHERE order_id = ?',
      id,
    );
    const payments = query(
      dataDir,
      'payments',
      'SELECT status, amount_cents, decline_reason FROM payments WHERE order_id = ?',
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
              `${String(t.type)}(${String(t.direction)} ${String(t.outcome)}${t.note ? `: ${String(t.note)}` : ''})`,
          )
          .join(' → ') || 'empty'
      }`,
    );
    lines.push(`  reservations: ${JSON.stringify(reservations)}; payments: ${JSON.stringify(payments)}`);
  }
  if (orderIds.length > limit) lines.push(`… and ${orderIds.length - limit} more`);
  return lines.join('\n');
}
