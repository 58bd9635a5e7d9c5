import { setTimeout as pause } from 'node:timers/promises';

/**
 * A load balancer's view of the shop under overload, in a process of its own so that the load
 * generator's busy event loop does not count as the server's delay: asks `url` (a /health) every
 * `everyMs` for `seconds` on a fresh connection. Prints `ready` when it starts asking, and one
 * JSON line when done: each answer's time in ms and whether one said orders was shedding.
 *
 * Usage: health-probe.ts <url> <seconds> [everyMs]
 */
const [url, seconds, everyMs = '250'] = process.argv.slice(2);
if (!url || !seconds) throw new Error('usage: health-probe.ts <url> <seconds> [everyMs]');

console.log('ready');
const until = performance.now() + Number(seconds) * 1000;
const ms: number[] = [];
let sawShedding = false;
while (performance.now() < until) {
  const sent = performance.now();
  const body = (await fetch(url, { headers: { connection: 'close' } }).then((reply) => reply.json())) as {
    checks?: { services?: { orders?: { admission?: { status: string } } } };
  };
  ms.push(performance.now() - sent);
  if (body.checks?.services?.orders?.admission?.status === 'shedding') sawShedding = true;
  await pause(Number(everyMs));
}
console.log(JSON.stringify({ ms, sawShedding }));
