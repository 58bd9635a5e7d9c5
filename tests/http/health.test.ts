import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../contracts/rest';
import { decorate } from '../support/decorate';
import { startTestSystem, type TestSystem } from '../support/system';

describe('GET /health', () => {
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
  });

  it('503 naming the broker when its connection is down', async () => {
    let connected = true;
    system = await startTestSystem('in-process', {
      wrapBroker: (broker) => decorate(broker, { isConnected: () => connected }),
    });
    connected = false;
    const reply = await system.api.call<Health>('GET', '/health');
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ status: 'down', down: ['broker'], checks: { broker: { status: 'down' } } });
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
  });
});
