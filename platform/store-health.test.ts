import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/sqlite';
import * as schema from '../services/users/schema';
import { storeHealth, storeHealthReader } from './store-health';

const migrations = fileURLToPath(new URL('../services/users/migrations', import.meta.url));

describe("a service's store health", () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-health-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ok with an empty outbox; down when the database no longer answers', async () => {
    const { db, close } = openDatabase(join(dir, 'users.db'), schema, migrations);
    expect(await storeHealth(db)).toEqual({
      database: 'ok',
      outbox: { status: 'ok', pending: 0, oldestAgeSeconds: null },
    });
    close();
    expect(await storeHealth(db)).toMatchObject({ database: 'down', outbox: { status: 'down', pending: null } });
  });

  it('a reading serves GET /health for a while, then the database is read again', async () => {
    const { db, client, close } = openDatabase(join(dir, 'users.db'), schema, migrations);
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
