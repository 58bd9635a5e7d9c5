import { afterEach, describe, expect, it } from 'vitest';
import { scratchDatabase } from '../tests/support/scratch-database';
import * as schema from '../services/users/sqlite/schema';
import { storeHealth, storeHealthReader } from './store-health';

const migrations = new URL('../services/users/sqlite/migrations', import.meta.url);

describe("a service's store health", () => {
  let opened: ReturnType<typeof scratchDatabase<typeof schema>> | undefined;
  afterEach(() => opened?.remove());

  it('ok with an empty outbox; down when the database no longer answers', async () => {
    const { db, close } = (opened = scratchDatabase(schema, migrations));
    expect(await storeHealth(db)).toEqual({
      database: 'ok',
      outbox: { status: 'ok', pending: 0, oldestAgeSeconds: null },
    });
    close();
    expect(await storeHealth(db)).toMatchObject({ database: 'down', outbox: { status: 'down', pending: null } });
  });

  it('a reading serves GET /health for a while, then the database is read again', async () => {
    const { db, client, close } = (opened = scratchDatabase(schema, migrations));
    const sharing = storeHealthReader(db, 60_000);
    const fresh = storeHealthReader(db, 0);
    expect((await sharing()).outbox.pending).toBe(0);
    client
      .prepare('INSERT INTO outbox (message_id, type, payload, created_at) VALUES (?, ?, ?, ?)')
      .run('m1', 'UserDeactivated', '{}', new Date().toISOString());
    expect((await sharing()).outbox.pending).toBe(0);
    expect((await fresh()).outbox.pending).toBe(1);
    close();
  });
});
