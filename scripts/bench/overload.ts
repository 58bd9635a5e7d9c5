import type { Deployment } from './deployment';
import { placeOrder } from './load';

export interface OverloadFigures {
  customers: number;
  accepted: number;
  /** POSTs answered 503: each customer then waits the Retry-After it was given. */
  shed: number;
  /** The slowest and the typical answer of /health while the load ran, in ms. */
  healthMaxMs: number;
  healthP50Ms: number;
  /** Whether /health said orders was shedding at some point. */
  sawShedding: boolean;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * More customers than the shop can serve: `customers` of them place orders back to back for
 * `seconds`, without waiting for their orders to end; a 503 makes a customer wait the
 * Retry-After it was given, as a polite client does. Meanwhile /health is asked four times a
 * second, on a connection of its own, as a load balancer would.
 */
export async function overload(
  { client, shop, processes }: Deployment,
  { customers, seconds, progress }: { customers: number; seconds: number; progress: (text: string) => void },
): Promise<OverloadFigures> {
  const until = performance.now() + seconds * 1000;
  let accepted = 0;
  let shed = 0;
  const healthMs: number[] = [];
  let sawShedding = false;
  const health = (async () => {
    const url = `${(processes.find((p) => p.name === 'orders') ?? processes[0]!).url}/health`;
    while (performance.now() < until) {
      const sent = performance.now();
      const body = (await fetch(url, { headers: { connection: 'close' } }).then((reply) => reply.json())) as {
        checks?: { services?: { orders?: { admission?: { status: string } } } };
      };
      healthMs.push(performance.now() - sent);
      if (body.checks?.services?.orders?.admission?.status === 'shedding') sawShedding = true;
      await pause(250);
    }
  })();
  await Promise.all(
    Array.from({ length: customers }, async () => {
      while (performance.now() < until) {
        const reply = await placeOrder(client, shop);
        if (reply.status === 202) accepted++;
        else if (reply.status === 503) {
          shed++;
          await pause(Number(reply.retryAfter ?? 1) * 1000);
        } else throw new Error(`POST /orders: ${reply.status} ${JSON.stringify(reply.body)}`);
        progress(`${accepted} accepted, ${shed} shed`);
      }
    }),
  );
  await health;
  const sorted = [...healthMs].sort((a, b) => a - b);
  return {
    customers,
    accepted,
    shed,
    healthMaxMs: sorted.at(-1) ?? NaN,
    healthP50Ms: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    sawShedding,
  };
}
