import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health, Liveness, Readiness } from '../../contracts/rest';
import { waitFor } from '../../lib/wait';
import { decorate } from '../support/decorate';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { startTestSystem, type TestSystem } from '../support/system';

describe('GET /health, /livez and /readyz', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('200 with every dependency when all is well', async () => {
    system = await startTestSystem('in-process');
    const reply = await system.api.call<Health>('GET', '/health');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
    expect(reply.body.down).toEqual([]);
    expect(reply.body.checks.broker).toEqual({ status: 'ok', transport: 'in-process' });
    expect(Object.keys(reply.body.checks.services).sort()).toEqual([
      'orchestrator',
      'orders',
      'payments',
      'products',
      'users',
    ]);
    for (const service of Object.values(reply.body.checks.services)) {
      expect(service).toMatchObject({ database: 'ok', outbox: { status: 'ok', pending: 0 } });
    }
    expect(await system.api.call<Liveness>('GET', '/livez')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await system.api.call<Readiness>('GET', '/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', notReady: [] },
    });
  });

  it('with the broker away: alive, but not ready and /health 503, each naming the broker', async () => {
    let connected = true;
    system = await startTestSystem('in-process', {
      wrapBroker: (broker) => decorate(broker, { isConnected: () => connected }),
    });
    connected = false;
    const reply = await system.api.call<Health>('GET', '/health');
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ status: 'down', down: ['broker'], checks: { broker: { status: 'down' } } });
    // A restart would not bring the broker back: the process is alive, only not to be sent traffic.
    expect(await system.api.call<Liveness>('GET', '/livez')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await system.api.call<Readiness>('GET', '/readyz')).toMatchObject({
      status: 503,
      body: { status: 'not-ready', notReady: ['broker'] },
    });

    connected = true;
    expect((await system.api.call('GET', '/readyz')).status).toBe(200);
  });

  it('not ready, naming admission, while MAX_PENDING_ORDERS orders are pending; /health stays 200', async () => {
    let faults: FaultyBroker;
    system = await startTestSystem('in-process', {
      env: { MAX_PENDING_ORDERS: '1' },
      wrapBroker: (broker) => (faults = withFaults(broker)),
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 100, stock: 10 });
    // The orchestrator is held back: the order stays pending, and fills the bound.
    faults!.pause('orchestrator');
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    expect(placed.status).toBe(202);

    expect(await api.call<Readiness>('GET', '/readyz')).toMatchObject({
      status: 503,
      body: { status: 'not-ready', notReady: ['orders.admission'] },
    });
    expect((await api.call('GET', '/health')).status).toBe(200);
    expect((await api.call('GET', '/livez')).status).toBe(200);

    faults!.resume('orchestrator');
    await api.settled(buyer.token, placed.body.id);
    await waitFor(async () => (await api.call('GET', '/readyz')).status === 200, { what: 'ready again' });
  });

  it('503 naming the outbox whose messages have waited too long to be published', async () => {
    system = await startTestSystem('in-process', {
      wrapBroker: (broker) =>
        decorate(broker, {
          publish: async () => {
            throw new Error('the broker refuses everything');
          },
        }),
    });
    const db = new Database(join(system.dataDir, 'users.db'));
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    db.prepare('INSERT INTO outbox (message_id, type, payload, created_at) VALUES (?, ?, ?, ?)').run(
      '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      'UserDeactivated',
      '{}',
      hourAgo,
    );
    db.close();
    const reply = await system.api.call<Health>('GET', '/health');
    expect(reply.status).toBe(503);
    expect(reply.body.down).toEqual(['users.outbox']);
    expect(reply.body.checks.services.users).toMatchObject({
      database: 'ok',
      outbox: { status: 'down', pending: 1 },
    });
    // Its messages wait safely: no reason to send traffic elsewhere.
    expect((await system.api.call('GET', '/readyz')).status).toBe(200);
  });
});
