import { setTimeout as sleep } from 'node:timers/promises';
import { describeOrders } from './diagnose';
import { NoAnswer, type Http } from './http';
import type { Placed } from './load';
import type { OrderView, Shop } from './shop';

const terminal = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';

/**
 * Polls every placed order over HTTP (as its buyer) until all are terminal. On timeout the
 * error names the orders still pending and what their saga, trace and outboxes say.
 */
export async function waitAllTerminal(
  http: Http,
  shop: Shop,
  placed: readonly Placed[],
  {
    timeoutMs = 45_000,
    dataDir,
    databaseUrl,
  }: {
    timeoutMs?: number;
    /** Where the stores are, for the failure message: the data folder, and the database if on PostgreSQL. */
    dataDir: string;
    databaseUrl?: string;
  },
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
          (await describeOrders(
            { dataDir, databaseUrl },
            pending.map((order) => order.id),
          )),
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
