import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrls, redactUrlsIn } from './redact-url';

describe('redactUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('postgres://shop_orders:s3cr%40t@db.internal:6432/shop?sslmode=require')).toBe(
      'postgres://shop_orders:***@db.internal:6432/shop?sslmode=require',
    );
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
  });

  it('drops the whole user part of what it cannot parse', () => {
    expect(redactUrl('postgres://user:pass/word@host/db')).toBe('postgres://***@host/db');
    expect(redactUrl('user:password@host')).toBe('***@host');
  });
});

describe('redactUrls', () => {
  it('masks the password of every node of a list', () => {
    expect(redactUrls('amqp://shop:hunter2@rabbit-1:5672,amqp://shop:hunter2@rabbit-2:5672')).toBe(
      'amqp://shop:***@rabbit-1:5672,amqp://shop:***@rabbit-2:5672',
    );
  });
});

describe('redactUrlsIn', () => {
  it('masks the password of every URL in a message, and nothing else', () => {
    expect(
      redactUrlsIn('BROKER_URL: RabbitMQ at amqp://shop:hunter2@rabbit-1:5672,amqp://shop:hunter2@rabbit-2:5672: down'),
    ).toBe('BROKER_URL: RabbitMQ at amqp://shop:***@rabbit-1:5672,amqp://shop:***@rabbit-2:5672: down');
    expect(redactUrlsIn('open postgres://u:p@ss/w@rd@db:5432/shop failed')).toBe(
      'open postgres://u:***@db:5432/shop failed',
    );
  });

  it('leaves a message without a password as it is, and one already masked too', () => {
    for (const text of [
      'connect ECONNREFUSED 127.0.0.1:5432',
      'at postgres://postgres@127.0.0.1:5432/shop: refused, mail root@example.com',
      'RabbitMQ at amqp://guest:***@127.0.0.1:5672: login refused',
      'amqp://rabbit:5672 is down for maintenance@night',
    ])
      expect(redactUrlsIn(text)).toBe(text);
  });
});
