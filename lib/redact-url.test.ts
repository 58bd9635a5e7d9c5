import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrls } from './redact-url';

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
