import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { waitFor } from '../../lib/wait';
import type { AppProcess } from './app-process';
import { describeOrders } from './diagnose';
import { NoAnswer, type Http } from './http';
import type { Load, Placed } from './load';
import type { OrderView, Shop } from './shop';

const terminal = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';

/**
 * Orders not yet terminal at this instant: accepted and still PENDING in the orders database,
 * or still being placed. A kill is mid-flight only when this is above zero.
 */
export function unfinished(dataDir: string, load: Load): number {
  const db = new Database(join(dataDir, 'orders.db'), { readonly: true, fileMustExist: true });
  try {
    const { n } = db.prepare("SELECT count(*) AS n FROM orders WHERE status = 'PENDING'").get() as { n: number };
    return n + load.posting;
  } finally {
    db.close();
  }
}

/**
 * SIGKILLs `app` while an order is under way (sagas settle in milliseconds, so it waits for
 * one, and asserts it), keeps it down `downMs`, starts it again, and says how it went.
 */
export async function killMidFlight(app: AppProcess, dataDir: string, load: Load, downMs: number): Promise<string> {
  // The count the wait saw, not a second read: orders settle in milliseconds, so a second look
  // could find none and fail a kill that is about to land mid-flight.
  let inFlight = 0;
  await waitFor(() => (inFlight = unfinished(dataDir, load)) > 0, { intervalMs: 1, what: 'an order in flight' });
  const at = load.placed;
  await app.kill();
  await sleep(downMs);
  await app.start();
  return `${app.name} after ${at} orders with ${inFlight} unfinished (down ${downMs} ms + start ${app.startupMs.at(-1)} ms)`;
}

/**
 * Polls every placed order over HTTP (as its buyer) until all are terminal. On timeout the
 * error names the orders still pending and what their saga, trace and outboxes say.
 */
export async function waitAllTerminal(
  http: Http,
  shop: Shop,
  placed: readonly Placed[],
  { timeoutMs = 45_000, dataDir }: { timeoutMs?: number; dataDir: string },
): Promise<Map<string, OrderView>> {
  const views = new Map<string, OrderView>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = placed.filter((order) => !terminal(views.get(order.id)?.status ?? 'PENDING'));
    if (pending.length === 0) return views;
    if (Date.now() > deadline) {
      throw new Error(
        `${pending.length} of ${placed.length} orders still not terminal after ${timeoutMs} ms ` +
          `(HTTP view: ${pending
            .map((o) => `${o.id}=${views.get(o.id)?.status ?? 'unseen'}`)
            .slice(0, 5)
            .join(', ')}):\n` +
          describeOrders(
            dataDir,
            pending.map((order) => order.id),
          ),
      );
    }
    for (let i = 0; i < pending.length; i += 10) {
      await Promise.all(
        pending.slice(i, i + 10).map(async (order) => {
          try {
            const reply = await http.call<OrderView>('GET', `/orders/${order.id}`, {
              token: shop.customers[order.customer]!.token,
              timeoutMs: 5_000,
            });
            if (reply.status === 200) views.set(order.id, reply.body);
            else if (reply.status < 500)
              throw new Error(`GET /orders/${order.id}: ${reply.status} ${JSON.stringify(reply.body)}`);
          } catch (error) {
            if (!(error instanceof NoAnswer)) throw error;
          }
        }),
      );
    }
    await sleep(200);
  }
}

/** Counts by status and reason, for the printed report. */
export function outcomeCounts(views: Iterable<OrderView>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const view of views) {
    const key =
      view.status === 'CANCELLED' ? `CANCELLED ${view.reason}${view.detail ? `(${view.detail})` : ''}` : view.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
