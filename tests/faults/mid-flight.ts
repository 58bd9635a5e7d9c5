import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { waitFor } from '../../lib/wait';
import type { EndState } from '../support/end-state';
import type { AppProcess } from './app-process';
import type { Load, Placed } from './load';
import { rows, type Where } from './stores';

/** Orders the server has recorded and not settled, by id, as the databases show them. */
interface InFlight {
  /** PENDING in the orders database. */
  pending: Set<string>;
  /** Whose saga is RUNNING or COMPENSATING in the orchestrator's database. */
  midStep: Set<string>;
}

async function inFlight(where: Where): Promise<InFlight> {
  const ids = async (service: 'orders' | 'orchestrator', sql: (table: (name: string) => string) => string) =>
    new Set((await rows<{ id: string }>(where, service, sql)).map((row) => row.id));
  return {
    pending: await ids('orders', (t) => `SELECT id FROM ${t('orders')} WHERE status = 'PENDING'`),
    midStep: await ids(
      'orchestrator',
      (t) => `SELECT order_id AS id FROM ${t('sagas')} WHERE status IN ('RUNNING', 'COMPENSATING')`,
    ),
  };
}

const orderIds = ({ pending, midStep }: InFlight) => new Set([...pending, ...midStep]);

/** What the kill tests learn from one kill: the orders it interrupted, and a line for the report. */
export interface Kill {
  interrupted: string[];
  report: string;
}

/**
 * SIGKILLs `app` while the server has orders in flight, keeps it down `downMs` and starts it
 * again. Sagas settle in milliseconds, so a kill may land just after the last one ended: when
 * it interrupted nothing, it kills again, and fails after `attempts` kills that all missed.
 * `where` is the cluster (or its data folder, on SQLite): every service keeps its state there,
 * so this works for any process of the cluster. With `restart: false` the process stays down
 * (and `downMs` is not used): an instance of a service lost for good, its siblings carrying on.
 */
export async function killMidFlight(
  app: AppProcess,
  where: Where,
  load: Load,
  downMs: number,
  { attempts = 5, restart = true }: { attempts?: number; restart?: boolean } = {},
): Promise<Kill> {
  const missed: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let before: Set<string> = new Set();
    await waitFor(async () => (before = orderIds(await inFlight(where))).size > 0, {
      intervalMs: 1,
      what: `an order in flight before killing ${app.name}`,
    });
    const at = load.placed;
    const gone = app.kill();
    // In flight just before the SIGKILL and again just after it means in flight at the kill, as an
    // order and its saga only move forward. Read at once: the other services of a per-service
    // cluster go on, and the killed process group can take seconds to be reaped.
    const after = await inFlight(where);
    await gone;
    const interrupted = [...orderIds(after)].filter((id) => before.has(id));
    const count = (of: Set<string>) => interrupted.filter((id) => of.has(id)).length;
    if (restart) {
      await sleep(downMs);
      await app.start();
    }
    const report =
      `${app.name} after ${at} orders: ${count(after.pending)} PENDING, ${count(after.midStep)} sagas mid-step ` +
      (restart ? `(down ${downMs} ms + start ${app.startupMs.at(-1)} ms)` : '(stays down)');
    if (interrupted.length > 0) {
      return {
        interrupted,
        report: attempt > 1 ? `${report}, on attempt ${attempt} (the kills before interrupted nothing)` : report,
      };
    }
    missed.push(report);
    // Down for good: there is nothing left to kill again.
    if (!restart) return { interrupted, report: `${report}, interrupting nothing` };
  }
  throw new Error(`none of ${attempts} kills of ${app.name} interrupted an order in flight: ${missed.join('; ')}`);
}

/**
 * The orders the kills interrupted are orders the client placed, and they ended: the kills
 * landed on sagas under way, and those recovered.
 */
export function expectInterruptedEnded(state: EndState, placed: readonly Placed[], kills: readonly Kill[]) {
  const interrupted = kills.flatMap((kill) => kill.interrupted);
  const placedIds = new Set(placed.map((order) => order.id));
  expect(
    interrupted.filter((id) => !placedIds.has(id)),
    'orders interrupted by a kill that no client placed',
  ).toEqual([]);
  const ended = (status: string | undefined) => status === 'CONFIRMED' || status === 'CANCELLED';
  const orderStatus = new Map(state.orders.map((order) => [order.id, order.status]));
  const sagaStatus = new Map(state.sagas.map((saga) => [saga.order_id, saga.status]));
  expect(
    interrupted.filter((id) => !ended(orderStatus.get(id)) || !ended(sagaStatus.get(id))),
    'orders interrupted by a kill that never ended',
  ).toEqual([]);
}
