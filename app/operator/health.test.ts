import { describe, expect, it } from 'vitest';
import type { ServiceHealth } from '../../platform/store-health';
import { readinessOf, summarizeHealth } from './health';

const up: ServiceHealth = { database: 'ok', outbox: { status: 'ok', pending: 0, oldestAgeSeconds: null } };
const databaseDown: ServiceHealth = {
  database: 'down',
  outbox: { status: 'down', pending: null, oldestAgeSeconds: null },
};
const staleOutbox: ServiceHealth = { database: 'ok', outbox: { status: 'down', pending: 3, oldestAgeSeconds: 40 } };
const admission = (status: 'accepting' | 'shedding') => ({ status, pending: 5, limit: 5 });

describe('readiness, read off the health report', () => {
  it('names the broker, each database down and each service shedding, in that order', () => {
    const health = summarizeHealth(
      { connected: false, transport: 'rabbitmq' },
      {
        users: databaseDown,
        orders: { ...up, admission: admission('shedding') },
        payments: databaseDown,
      },
    );
    expect(readinessOf(health)).toEqual({
      status: 'not-ready',
      notReady: ['broker', 'users.database', 'orders.admission', 'payments.database'],
    });
  });

  it('is ready with a stale outbox or orders accepting, which /health alone reports', () => {
    const health = summarizeHealth(
      { connected: true, transport: 'in-process' },
      { users: staleOutbox, orders: { ...up, admission: admission('accepting') } },
    );
    expect(health.down).toEqual(['users.outbox']);
    expect(readinessOf(health)).toEqual({ status: 'ready', notReady: [] });
  });
});
