import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from './app-process';
import { expectInvariantsExplained, expectNothingLostOrDoubled, observed } from './checks';
import { Cleanup } from './cleanup';
import { Http } from './http';
import { Load, planOrders } from './load';
import { canConnect } from './ports';
import { Rng, seedFor } from './seed';
import { waitAllTerminal } from './settling';
import { setUpShop } from './shop';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A request whose body is sent in two halves: after `sendHead` the server is reading it, so
 * it is in flight for as long as the test waits before `finish`. Resolves to the answer's
 * status, or rejects as the connection fails.
 */
function slowRegistration(port: number) {
  const body = JSON.stringify({
    name: 'Slow',
    email: `slow-${Date.now()}@example.com`,
    password: 'a-long-enough-password',
  });
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  const answer = new Promise<number>((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/auth/register',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (reply) => {
        reply.resume();
        reply.on('end', () => resolve(reply.statusCode!));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { answer, finish: () => finish() };
}

describe.each([
  ['npm start', 'npm'],
  ['the image’s node dist/main.js', 'compiled'],
] as const)('SIGTERM to %s', (_name, launch) => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run(), 60_000);
  if (launch === 'compiled')
    beforeAll(() => void execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT }), 60_000);

  it('stops taking connections, answers the request in flight, lets the sagas in flight commit, and exits; nothing lost', async () => {
    const rng = new Rng(seedFor('graceful-stop'));
    const dataDir = await mkdtemp(join(tmpdir(), 'graceful-stop-'));
    const app = await AppProcess.start({
      dataDir,
      launch,
      env: { LOG_LEVEL: 'info', SAGA_STEP_TIMEOUTS_MS: '120000' },
    });
    cleanup.add(() => app.kill());
    const http = new Http(() => app.url);
    const shop = await setUpShop(http, rng, { customers: 4, products: 3, stock: [30, 50] });

    const load = new Load(http, shop);
    cleanup.add(() => load.abort());
    const placing = load.run(planOrders(rng, shop, 60, { declined: 0.2 }), { concurrency: 6 });
    placing.catch(() => {}); // awaited below
    await load.reached(20);

    const slow = slowRegistration(app.port);
    await sleep(100);
    const stopping = app.signal('SIGTERM');
    const deadline = Date.now() + 5_000;
    while (!app.logLinesOfThisRun().some((line) => line.msg?.startsWith('shutting down')) && Date.now() < deadline)
      await sleep(20);
    expect(await canConnect(app.port), 'a new connection once the stop began').toBe(false);
    slow.finish();
    expect(await slow.answer, 'the request in flight when the stop began').toBe(201);

    const { exit, orphans } = await stopping;
    expect({ exit, orphans }).toEqual({ exit: '0', orphans: false });
    expect(app.logLinesOfThisRun().map((line) => line.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^shutting down/), 'stopped']),
    );

    // Started again on the same data, the load carries on and every order ends.
    await app.start();
    const placed = await placing;
    const views = await waitAllTerminal(http, shop, placed, { dataDir });
    const state = await expectInvariantsExplained(observed({ dataDir, namespace: undefined }, shop));
    await expectNothingLostOrDoubled(dataDir, state, shop, placed, views, {
      allowedReasons: ['PAYMENT_DECLINED', 'OUT_OF_STOCK'],
    });
  });
});
