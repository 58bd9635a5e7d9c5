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
