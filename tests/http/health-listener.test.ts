import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../contracts/rest';
import { startHealthListener, type HealthListener } from '../../app/server/health-listener';
import { decorate } from '../support/decorate';
import { OpenApiContract, type Document } from '../support/openapi-contract';
import { startTestSystem, type TestSystem } from '../support/system';

const probes = ['/livez', '/readyz', '/health'] as const;

/**
 * Asks the health port from a child process while this thread is blocked in spawnSync: the
 * shop's event loop is busy and cannot answer, the health thread must. `waitMs` first makes
 * the last report that old. Each path of `paths` is asked in turn, on a connection of its own.
 */
function askWhileBlocked(port: number, { method = 'GET', paths = ['/health'], waitMs = 0 } = {}) {
  const script = `
    await new Promise((resolve) => setTimeout(resolve, ${waitMs}));
    const replies = [];
    for (const path of ${JSON.stringify(paths)}) {
      const sent = performance.now();
      const reply = await fetch('http://127.0.0.1:${port}' + path, { method: '${method}' });
      replies.push({ path, status: reply.status, body: await reply.json(), ms: performance.now() - sent });
    }
    console.log(JSON.stringify(replies));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as {
    path: string;
    status: number;
    body: Health & { notReady?: string[]; error?: { message: string } };
    ms: number;
  }[];
}

/** Each probe's answer, by path. */
const byPath = (replies: ReturnType<typeof askWhileBlocked>) =>
  Object.fromEntries(replies.map(({ path, status, body }) => [path, { status, body }]));

/** The answers break nothing the app's OpenAPI document says of these routes. */
async function expectDocumented(system: TestSystem, replies: ReturnType<typeof askWhileBlocked>) {
  const contract = new OpenApiContract((await (await system.app.request('/openapi.json')).json()) as Document);
  for (const { path, status, body } of replies) expect(contract.problem('GET', path, status, body)).toBeUndefined();
}

describe('the health listener (HEALTH_PORT)', () => {
  let system: TestSystem | undefined;
  let listener: HealthListener;
  afterEach(async () => {
    await listener.close();
    await system?.stop();
    system = undefined;
  });

  it('answers what the app answers on each probe, while the event loop of the shop is blocked', async () => {
    system = await startTestSystem('in-process');
    listener = await startHealthListener({ port: 0 });
    await listener.follow(system.health);
    const own = await Promise.all(probes.map(async (path) => [path, await system!.api.call('GET', path)] as const));

    const replies = askWhileBlocked(listener.port, { paths: [...probes] });
    expect(byPath(replies)).toEqual(
      Object.fromEntries(own.map(([path, { status, body }]) => [path, { status, body }])),
    );
    expect(byPath(replies)['/readyz']).toEqual({ status: 200, body: { status: 'ready', notReady: [] } });
    for (const { ms } of replies) expect(ms).toBeLessThan(1_000);
  });

  it('with the broker away: alive, but not ready and /health 503', async () => {
    let connected = true;
    system = await startTestSystem('in-process', {
      wrapBroker: (broker) => decorate(broker, { isConnected: () => connected }),
    });
    listener = await startHealthListener({ port: 0, everyMs: 50 });
    await listener.follow(system.health);
    connected = false;
    // The next report, from the main thread's timer.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const replies = askWhileBlocked(listener.port, { paths: [...probes] });
    expect(byPath(replies)).toMatchObject({
      '/livez': { status: 200, body: { status: 'ok' } },
      '/readyz': { status: 503, body: { status: 'not-ready', notReady: ['broker'] } },
      '/health': { status: 503, body: { status: 'down', down: ['broker'] } },
    });
    await expectDocumented(system, replies);
  });

  it('alive from the start; /readyz and /health say starting until given something to report', async () => {
    listener = await startHealthListener({ port: 0 });
    expect(byPath(askWhileBlocked(listener.port, { paths: [...probes] }))).toEqual({
      '/livez': { status: 200, body: { status: 'ok' } },
      '/readyz': { status: 503, body: { error: { code: 'unavailable', message: 'starting' } } },
      '/health': { status: 503, body: { error: { code: 'unavailable', message: 'starting' } } },
    });
  });

  it('503 on every probe, naming event-loop, once the main thread has not turned for staleAfterMs', async () => {
    system = await startTestSystem('in-process');
    listener = await startHealthListener({ port: 0, staleAfterMs: 300 });
    await listener.follow(system.health);

    const replies = askWhileBlocked(listener.port, { paths: [...probes], waitMs: 800 });
    expect(byPath(replies)).toMatchObject({
      '/livez': { status: 503, body: { status: 'down', down: ['event-loop'] } },
      '/readyz': { status: 503, body: { status: 'not-ready', notReady: ['event-loop'] } },
      '/health': { status: 503, body: { status: 'down', down: ['event-loop'], checks: { broker: { status: 'ok' } } } },
    });
    await expectDocumented(system, replies);
  });

  it('a check that hangs (a database slow to answer) fails /readyz and /health, never /livez', async () => {
    system = await startTestSystem('in-process');
    listener = await startHealthListener({ port: 0, everyMs: 50, staleAfterMs: 1_000 });
    let checks = 0;
    await listener.follow(() => (checks++ === 0 ? system!.health() : new Promise<never>(() => {})));
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Asked from this thread, whose event loop turns: only the check is stuck.
    const replies = await Promise.all(
      probes.map(async (path) => {
        const reply = await fetch(`http://127.0.0.1:${listener.port}${path}`);
        return [path, { status: reply.status, body: await reply.json() }] as const;
      }),
    );
    expect(Object.fromEntries(replies)).toMatchObject({
      '/livez': { status: 200, body: { status: 'ok' } },
      '/readyz': { status: 503, body: { notReady: ['event-loop'] } },
      '/health': { status: 503, body: { down: ['event-loop'] } },
    });
  });

  it('a clear 4xx for anything but GET of a probe', async () => {
    listener = await startHealthListener({ port: 0 });
    expect(askWhileBlocked(listener.port, { paths: ['/orders'] })).toMatchObject([
      {
        status: 404,
        body: {
          error: { code: 'not_found', message: 'no route /orders on the health port: GET /livez, /readyz, /health' },
        },
      },
    ]);
    expect(askWhileBlocked(listener.port, { method: 'POST', paths: ['/readyz'] })).toMatchObject([
      { status: 405, body: { error: { code: 'method_not_allowed', message: 'POST /readyz: only GET' } } },
    ]);
  });
});
