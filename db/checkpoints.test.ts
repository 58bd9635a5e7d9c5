import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../lib/wait';
import { checkpointOffThread } from './checkpoints';

describe('checkpoints off the event loop', () => {
  let dir: string;
  beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), 'checkpoints-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('leaves the WAL to grow past SQLite’s 1 000 pages on commit, and copies it back on the thread', async () => {
    const file = join(dir, 'shop.db');
    const client = new Database(file);
    client.pragma('journal_mode = WAL');
    client.pragma('synchronous = NORMAL');
    client.exec('CREATE TABLE rows (payload TEXT NOT NULL)');
    const release = checkpointOffThread(client, 50);
    const insert = client.prepare('INSERT INTO rows (payload) VALUES (?)');
    // About 8 MB in 2 000 commits: twice what would have made a commit checkpoint.
    for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(4_000));
    const bytes = () => statSync(file).size;

    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(bytes()).toBeLessThan(1_000_000);
    await waitFor(() => bytes() > 8_000_000, { timeoutMs: 5_000, what: 'the thread to checkpoint' });
    release();
    client.close();
  });
});
