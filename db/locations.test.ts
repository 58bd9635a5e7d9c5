import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseLocation, databaseServices } from './locations';

describe('databaseLocation', () => {
  it('keeps every service in its SQLite file under the data folder when no URL is set', () => {
    for (const service of databaseServices) {
      expect(databaseLocation({}, service, '/data')).toEqual({ kind: 'sqlite', file: join('/data', `${service}.db`) });
    }
  });

  it('puts every service on DATABASE_URL, each in a schema named for it', () => {
    const env = { DATABASE_URL: 'postgres://shop:secret@db:5432/shop' };
    expect(databaseLocation(env, 'orders', '/data')).toEqual({
      kind: 'postgres',
      url: 'postgres://shop:secret@db:5432/shop',
      schema: 'orders',
    });
    expect(databaseLocation(env, 'orchestrator', '/data')).toMatchObject({ schema: 'orchestrator' });
  });

  it('lets DATABASE_URL_<SERVICE> override DATABASE_URL for that service only', () => {
    const env = {
      DATABASE_URL: 'postgres://shop@db/shop',
      DATABASE_URL_PAYMENTS: 'postgresql://shop_payments:pw@db/shop',
      DATABASE_URL_ORCHESTRATOR: 'postgres://shop_saga:pw@db/shop',
    };
    expect(databaseLocation(env, 'payments', '/data')).toMatchObject({ url: 'postgresql://shop_payments:pw@db/shop' });
    expect(databaseLocation(env, 'orchestrator', '/data')).toMatchObject({ url: 'postgres://shop_saga:pw@db/shop' });
    expect(databaseLocation(env, 'users', '/data')).toMatchObject({ url: 'postgres://shop@db/shop' });
  });

  it('puts one service on PostgreSQL and leaves the others on SQLite', () => {
    const env = { DATABASE_URL_USERS: 'postgres://u@db/shop' };
    expect(databaseLocation(env, 'users', '/data').kind).toBe('postgres');
    expect(databaseLocation(env, 'products', '/data').kind).toBe('sqlite');
  });

  it('takes an empty variable as unset', () => {
    const env = { DATABASE_URL: 'postgres://u@db/shop', DATABASE_URL_ORDERS: '' };
    expect(databaseLocation(env, 'orders', '/data')).toMatchObject({ url: 'postgres://u@db/shop' });
    expect(databaseLocation({ DATABASE_URL: '' }, 'orders', '/data').kind).toBe('sqlite');
  });

  it.each([
    ['mysql://shop:hunter2-secret@db/shop', 'mysql://shop:***@db/shop'],
    ['postgres//shop:hunter2-secret@db/shop', '***@db/shop'],
    ['shop:hunter2-secret@db', '***@db'],
    ['postgres://', 'postgres://'],
    ['postgres://shop:pass/word@db/shop', 'postgres://***@db/shop'],
  ])('refuses %s, naming the variable and not the password', (url, shown) => {
    const refusal = () => databaseLocation({ DATABASE_URL_ORDERS: url }, 'orders', '/data');
    expect(refusal).toThrow(`DATABASE_URL_ORDERS must be a postgres:// or postgresql:// URL, not ${shown}`);
  });
});
