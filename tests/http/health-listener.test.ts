import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../contracts/rest';
import { startHealthListener, type HealthListener } from '../../app/server/health-listener';
import { startTestSystem, type TestSystem } from '../support/system';

/**
 * Asks the health port from a child process while this thread is blocked in spawnSync: the
 * shop's event loop is busy and cannot answer, the health thread must. `waitMs` first makes
 * the last report that old.
 */
function askWhileBlocked(port: number, { method = 'GET', path = '/health', waitMs = 0 } = {}) {
  const script = `
    await new Promise((resolve) => setTimeout(resolve, ${waitMs}));
    const sent = performance.now();
    const reply = await fetch('http://127.0.0.1:${port}${path}', { method: '${method}' });
    console.log(JSON.stringify({ status: reply.status, body: await reply.json(), ms: performance.now() - sent }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as { status: number; body: Health & { error?: { message: string } }; ms: number };
}

describe('the health listener (HEALTH_PORT)', () => {
  let system: TestSystem | undefined;
  let listener: HealthListener;
  afterEach(async () => {
    await listener.close();
    await system?.stop();
    system = undefined;
  });

  it('answers what GET /health answers, while the event loop of the shop is blocked', async () => {
    system = await startTestSystem('in-process');
    listener = await startHealthListener({ port: 0 });
    await listener.follow(system.health);
    const own = await system.api.call<Health>('GET', '/health');

    const reply = askWhileBlocked(listener.port);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(own.body);
    expect(reply.ms).toBeLessThan(1_000);
  });

  it('says starting until it is given something to report', async () => {
    listener = await startHealthListener({ port: 0 });
    const reply = askWhileBlocked(listener.port);
    expect(reply.status).toBe(503);
    expect(reply.body.error?.message).toBe('starting');
  });

  it('503 with event-loop down once the last report is older than staleAfterMs', async () => {
    system = await startTestSystem('in-process');
    listener = await startHealthListener({ port: 0, staleAfterMs: 300 });
    await listener.follow(system.health);

    const reply = askWhileBlocked(listener.port, { waitMs: 800 });
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ status: 'down', down: ['event-loop'], checks: { broker: { status: 'ok' } } });
  });

  it('a clear 4xx for anything but GET /health', async () => {
    listener = await startHealthListener({ port: 0 });
    expect(askWhileBlocked(listener.port, { path: '/orders' })).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: 'no route /orders on the health port: GET /health' } },
    });
    expect(askWhileBlocked(listener.port, { method: 'POST' })).toMatchObject({
      status: 405,
      body: { error: { code: 'method_not_allowed' } },
    });
  });
});
