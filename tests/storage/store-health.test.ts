import { afterEach, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { usersSqlite } from '../../services/users/sqlite/store';
import { storeHealth, storeHealthReader } from '../../platform/store-health';

describe("a service's store health", () => {
  let opened: ScratchDatabase<typeof usersSqlite> | undefined;
  afterEach(() => opened?.remove());

  it('ok with an empty outbox; down when the database no longer answers', async () => {
    const database = (opened = scratchDatabase(usersSqlite));
    expect(await storeHealth(database)).toEqual({
      database: 'ok',
      outbox: { status: 'ok', pending: 0, oldestAgeSeconds: null },
    });
    await database.close();
    expect(await storeHealth(database)).toMatchObject({ database: 'down', outbox: { status: 'down', pending: null } });
  });

  it('a reading serves GET /health for a while, then the database is read again', async () => {
    const database = (opened = scratchDatabase(usersSqlite));
    const sharing = storeHealthReader(database, 60_000);
    const fresh = storeHealthReader(database, 0);
    expect((await sharing()).outbox.pending).toBe(0);
    database.client
      .prepare('INSERT INTO outbox (message_id, type, payload, created_at) VALUES (?, ?, ?, ?)')
      .run('m1', 'UserDeactivated', '{}', new Date().toISOString());
    expect((await sharing()).outbox.pending).toBe(0);
    expect((await fresh()).outbox.pending).toBe(1);
    await database.close();
  });
});
