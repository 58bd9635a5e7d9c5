import { once } from 'node:events';
import { connect } from 'node:net';

/** Requests a second, and the load generator's own CPU meanwhile (1 = one core busy). */
export interface Rate {
  perSecond: number;
  clientCpu: number;
}

/**
 * Requests a second `url` answers with `connections` keep-alive connections asking back to back
 * for `seconds`, after a second of warm-up, and the CPU this process spent meanwhile. A raw
 * socket loop writes one prepared request and reads the answer's length, nothing more: node:http
 * as a client tops out near a bare hono app's rate on this machine, so it would measure itself.
 * Every answer must be a 200.
 */
export async function requestsPerSecond(url: string, { connections = 32, seconds = 3 } = {}): Promise<Rate> {
  const { hostname, port, pathname, search } = new URL(url);
  const request = Buffer.from(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`, 'latin1');
  const run = async (ms: number) => {
    const until = performance.now() + ms;
    const counts = await Promise.all(
      Array.from({ length: connections }, () => askBackToBack(hostname, Number(port), request, until)),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  };
  await run(1000);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const answered = await run(seconds * 1000);
  const elapsedMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: (answered * 1000) / elapsedMs, clientCpu: (user + system) / 1000 / elapsedMs };
}

/** One connection: a request, its whole answer, the next request, until `until`; how many were answered. */
async function askBackToBack(host: string, port: number, request: Buffer, until: number): Promise<number> {
  const socket = connect({ host, port, noDelay: true });
  await once(socket, 'connect');
  return new Promise<number>((resolve, reject) => {
    let answered = 0;
    let pending: Buffer = Buffer.alloc(0);
    const next = () => {
      if (performance.now() < until) socket.write(request);
      else {
        socket.destroy();
        resolve(answered);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      try {
        for (let size = answerSize(pending); size > 0; size = answerSize(pending)) {
          pending = pending.subarray(size);
          answered++;
          next();
        }
      } catch (error) {
        socket.destroy();
        reject(error as Error);
      }
    });
    socket.on('error', reject);
    next();
  });
}

/** The size of the first whole answer in `data`, 0 while it is incomplete. */
export function answerSize(data: Buffer): number {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return 0;
  const head = data.toString('latin1', 0, headEnd);
  const status = head.slice(0, head.indexOf('\r\n'));
  if (!/^HTTP\/1\.1 200 /.test(status)) throw new Error(`expected a 200, got "${status}"`);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) {
    const size = headEnd + 4 + Number(length[1]);
    return data.length >= size ? size : 0;
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) throw new Error('an answer with no length');
  // The last chunk: a line "0" after the previous chunk's CRLF (or the head's, for an empty body).
  const last = data.indexOf('\r\n0\r\n\r\n', headEnd + 2);
  return last < 0 ? 0 : last + 7;
}

export interface RoutesRate {
  products: number;
  health: number;
  /** The most CPU the load generator used in any turn (1 = one core). */
  clientCpu: number;
}

/**
 * GET /products and GET /health of the shop at `shopUrl` against a bare hono app at `bareUrl`,
 * measured in turns, `rounds` times each, and the median of each kept: measured apart, a noisy
 * machine moved the ratio by half.
 */
export async function compareRoutes(
  bareUrl: string,
  shopUrl: string,
  { rounds = 3, progress = (_text: string) => {} } = {},
): Promise<{ bare: RoutesRate; shop: RoutesRate }> {
  const samples = { bare: { products: [] as Rate[], health: [] as Rate[] }, shop: { products: [], health: [] } };
  for (let round = 1; round <= rounds; round++) {
    for (const route of ['products', 'health'] as const) {
      progress(`GET /${route}, round ${round} of ${rounds}`);
      samples.bare[route].push(await requestsPerSecond(`${bareUrl}/${route}`, { seconds: 2 }));
      (samples.shop[route] as Rate[]).push(await requestsPerSecond(`${shopUrl}/${route}`, { seconds: 2 }));
    }
  }
  const median = (rates: Rate[]) => rates.map((r) => r.perSecond).sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
  const rate = ({ products, health }: { products: Rate[]; health: Rate[] }) => ({
    products: median(products),
    health: median(health),
    clientCpu: Math.max(...[...products, ...health].map((r) => r.clientCpu)),
  });
  return { bare: rate(samples.bare), shop: rate(samples.shop) };
}
