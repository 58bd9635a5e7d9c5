import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { withDeployment, type Deployment, type Mode } from './deployment';
import { placeOrder } from './load';
import { clearStatus, printTable, status } from './report';
import { invariantViolations, ordersByStatus, waitSettled } from './results';
import type { ShopData } from './shop-data';

export interface ChaosFigures {
  /** Which process was killed after how many orders had been accepted. */
  kills: { process: string; afterOrders: number }[];
  accepted: number;
  /** POSTs sent again with their Idempotency-Key after a refused connection, a reset or a 503. */
  retries: number;
  /** Orders by final status (and reason, for the cancelled). */
  outcomes: Record<string, number>;
  /** Accepted orders the shop does not hold, or holds unfinished: must be none. */
  lost: string[];
  /** Orders the shop holds beyond those accepted: a retried POST counted twice. Must be 0. */
  doubled: number;
}

/**
 * Full load while processes die: `concurrency` customers place `orders` orders as fast as the
 * shop takes them, each POST retried with its Idempotency-Key until it is accepted, whatever
 * happened to the connection. Meanwhile, `kills` times, evenly spread over the run, a process
 * is killed with SIGKILL and started again on the same data: the all-in-one, or each service
 * process in turn. The caller checks the invariants once everything has settled.
 */
export async function chaos(
  deployment: Deployment,
  {
    orders,
    concurrency,
    kills,
    progress,
  }: { orders: number; concurrency: number; kills: number; progress: (text: string) => void },
): Promise<Omit<ChaosFigures, 'outcomes' | 'lost' | 'doubled'> & { ids: Set<string> }> {
  const { client, shop, processes } = deployment;
  const ids = new Set<string>();
  const killed: ChaosFigures['kills'] = [];
  let retries = 0;
  let next = 0;
  let crashing = Promise.resolve();

  const killWhenDue = () => {
    const due = Math.floor(((killed.length + 1) * orders) / (kills + 1));
    if (killed.length >= kills || ids.size < due) return;
    const victim = processes[killed.length % processes.length]!;
    killed.push({ process: victim.name, afterOrders: ids.size });
    progress(`killing ${victim.name} after ${ids.size} orders`);
    crashing = crashing.then(() => deployment.crash(victim));
  };

  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < orders) {
        next++;
        const key = randomUUID();
        for (;;) {
          const reply = await placeOrder(client, shop, key).catch(() => undefined);
          if (reply?.status === 202) {
            ids.add(reply.body.id);
            break;
          }
          // A refused or reset connection, or a 503 while the process starts or sheds: the same key again.
          if (reply !== undefined && reply.status !== 503 && reply.status !== 502) {
            throw new Error(`POST /orders: ${reply.status} ${JSON.stringify(reply.body)}`);
          }
          retries++;
          await pause(100);
        }
        progress(`${ids.size}/${orders} accepted, ${killed.length}/${kills} killed`);
        killWhenDue();
      }
    }),
  );
  await crashing;
  return { kills: killed, accepted: ids.size, retries, ids };
}

/** What became of the accepted orders, once the shop has settled. */
export async function outcomesOf(
  data: ShopData,
  ids: Set<string>,
): Promise<Pick<ChaosFigures, 'outcomes' | 'lost' | 'doubled'>> {
  const held = await ordersByStatus(data);
  const outcomes: Record<string, number> = {};
  for (const { status, reason } of held.values()) {
    const outcome = reason ? `${status} ${reason}` : status;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  const lost = [...ids].filter((id) => !['CONFIRMED', 'CANCELLED'].includes(held.get(id)?.status ?? ''));
  const heldAccepted = [...ids].filter((id) => held.has(id)).length;
  return { outcomes, lost, doubled: held.size - heldAccepted };
}

/**
 * `--chaos`: faults at full speed. Per mode, `--orders` orders placed as fast as the shop takes
 * them while `--kills` times a process is killed with SIGKILL and restarted (the all-in-one, or
 * each service process in turn); then, once everything has settled: nothing lost, nothing
 * doubled, and the invariants.
 */
export async function runChaos(options: {
  orders: number;
  concurrency: number;
  kills: number;
  modes: Mode[];
  rabbitmq: string;
}) {
  const results: (Omit<ChaosFigures, 'lost'> & { mode: Mode; lost: number; seconds: number; violations: string[] })[] =
    [];
  for (const mode of options.modes) {
    status(`${mode}: starting`);
    results.push(
      await withDeployment(mode, { rabbitmq: options.rabbitmq }, async (deployment) => {
        const started = performance.now();
        const { ids, ...figures } = await chaos(deployment, {
          ...options,
          progress: (text) => status(`${mode}: ${text}`),
        });
        await waitSettled(deployment.data, 300_000);
        const { lost, ...outcomes } = await outcomesOf(deployment.data, ids);
        const violations = await invariantViolations(deployment.data, deployment.shop.stock);
        if (lost.length > 0)
          violations.push(`${lost.length} accepted orders lost or unfinished (${lost.slice(0, 3).join(', ')})`);
        if (outcomes.doubled !== 0) violations.push(`${outcomes.doubled} orders beyond those accepted`);
        return {
          mode,
          ...figures,
          ...outcomes,
          lost: lost.length,
          seconds: (performance.now() - started) / 1000,
          violations,
        };
      }),
    );
  }
  clearStatus();
  console.log(`chaos: ${options.orders} orders, ${options.concurrency} customers, ${options.kills} kills with SIGKILL`);
  printTable([
    ['mode', 'killed', 'accepted', 'retried POSTs', 'seconds', 'outcomes', 'lost', 'doubled', 'invariants'],
    ...results.map((r) => [
      r.mode,
      r.kills.map((kill) => `${kill.process}@${kill.afterOrders}`).join(' '),
      String(r.accepted),
      String(r.retries),
      r.seconds.toFixed(0),
      Object.entries(r.outcomes)
        .map(([outcome, n]) => `${outcome} ${n}`)
        .join(', '),
      String(r.lost),
      String(r.doubled),
      r.violations.length === 0 ? 'held' : r.violations.join('; '),
    ]),
  ]);
  console.log(JSON.stringify({ chaos: results }));
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}
