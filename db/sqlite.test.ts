import { afterEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { outbox } from '../broker/messaging/outbox';
import { scratchDatabase } from '../tests/support/scratch-database';
import { param } from './sqlite';
import * as schema from '../services/products/sqlite/schema';

describe('openDatabase', () => {
  let opened: ReturnType<typeof scratchDatabase<typeof schema>> | undefined;
  afterEach(() => opened?.remove());

  const open = () => (opened = scratchDatabase(schema, new URL('../services/products/sqlite/migrations', import.meta.url)));

  it('binds a LIMIT through an expression, so that rebinding it does not recompile the statement', () => {
    const { db, client } = open();
    const query = db.select().from(outbox).orderBy(asc(outbox.seq)).limit(param('limit')).prepare();
    const insert = client.prepare('INSERT INTO outbox (message_id, type, payload, created_at) VALUES (?, ?, ?, ?)');
    for (const n of [1, 2, 3]) insert.run(`m${n}`, 'T', '{}', '2026-12-01T00:00:00.000Z');

    expect(query.all({ limit: 2 }).map((row) => row.messageId)).toEqual(['m1', 'm2']);
    expect(query.all({ limit: 1 }).map((row) => row.messageId)).toEqual(['m1']);
    expect(client.prepare('SELECT seq FROM outbox limit ?').source).toBe('SELECT seq FROM outbox limit +?');
  });

  it('prepares the same SQL once', () => {
    const { client } = open();
    expect(client.prepare('SELECT 1')).toBe(client.prepare('SELECT 1'));
  });
});
