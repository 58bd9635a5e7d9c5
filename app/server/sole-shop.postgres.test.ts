import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import { loadConfig } from './config';
import { startSystem, type System } from './system';

let scratch: ScratchPostgres;
const dirs: string[] = [];
const running: System[] = [];
beforeEach(async () => {
  scratch = await scratchPostgres();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((system) => system.stop()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  await scratch.drop();
});

/** A shop on the embedded broker (a DATA_DIR of its own) with every service on the scratch database. */
async function shop(): Promise<System> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sole-shop-'));
  dirs.push(dataDir);
  const system = await startSystem(
    loadConfig({ DATA_DIR: dataDir, DATABASE_URL: scratch.url, JWT_SECRET: 'test', CARD_TOKEN_KEY: 'test' }),
  );
  running.push(system);
  return system;
}

it('refuses a second shop on the embedded broker on the same database, in one line, until the first stops', async () => {
  const first = await shop();
  await expect(shop()).rejects.toThrow(
    /^another shop runs on this database with its embedded broker, which is one process: stop it, or set BROKER_URL/,
  );

  await first.stop();
  running.splice(running.indexOf(first), 1);
  const next = await shop();
  expect((await next.health()).status).toBe('ok');
});

it('names the database it cannot reach, with its password masked, as the stores do', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sole-shop-'));
  dirs.push(dataDir);
  const unreachable = 'postgres://shop:hunter2secret@127.0.0.1:1/shop';
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: unreachable,
    JWT_SECRET: 'test',
    CARD_TOKEN_KEY: 'test',
  });
  const started = startSystem(config);
  await expect(started).rejects.toThrow(
    /^PostgreSQL at postgres:\/\/shop:\*\*\*@127\.0\.0\.1:1\/shop: connect ECONNREFUSED/,
  );
  await expect(started).rejects.not.toThrow(/hunter2secret/);
});
