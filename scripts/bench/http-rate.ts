import { Agent, get } from 'node:http';

/**
 * Requests a second `url` answers with `connections` keep-alive clients asking back to back for
 * `seconds`, after a second of warm-up. node:http rather than fetch: fetch costs the client more
 * than a small route costs the server, and the client would be what is measured. Every answer
 * must be a 200.
 */
export async function requestsPerSecond(url: string, { connections = 32, seconds = 3 } = {}): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const once = () =>
    new Promise<void>((resolve, reject) => {
      get(url, { agent }, (reply) => {
        reply.resume();
        reply.on('end', () =>
          reply.statusCode === 200 ? resolve() : reject(new Error(`GET ${url}: ${reply.statusCode}`)),
        );
      }).on('error', reject);
    });
  const run = async (ms: number) => {
    const until = performance.now() + ms;
    let answered = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          await once();
          answered++;
        }
      }),
    );
    return answered;
  };
  try {
    await run(1000);
    const started = performance.now();
    const answered = await run(seconds * 1000);
    return (answered * 1000) / (performance.now() - started);
  } finally {
    agent.destroy();
  }
}

export interface RoutesRate {
  products: number;
  health: number;
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
  const samples = { bare: { products: [] as number[], health: [] as number[] }, shop: { products: [], health: [] } };
  for (let round = 1; round <= rounds; round++) {
    for (const route of ['products', 'health'] as const) {
      progress(`GET /${route}, round ${round} of ${rounds}`);
      samples.bare[route].push(await requestsPerSecond(`${bareUrl}/${route}`, { seconds: 2 }));
      (samples.shop[route] as number[]).push(await requestsPerSecond(`${shopUrl}/${route}`, { seconds: 2 }));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rate = ({ products, health }: { products: number[]; health: number[] }) => ({
    products: median(products),
    health: median(health),
  });
  return { bare: rate(samples.bare), shop: rate(samples.shop) };
}
