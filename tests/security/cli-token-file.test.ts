import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnFreePort } from '../support/served';
import { startTestSystem, type TestSystem } from '../support/system';

const exec = promisify(execFile);

/** `saga-shop sagas` as a child process, with `env` over this process's environment. */
async function sagas(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await exec('node_modules/.bin/tsx', ['app/cli/index.ts', 'sagas'], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the command line’s admin token from SAGA_SHOP_TOKEN_FILE', () => {
  let system: TestSystem;
  let served: Awaited<ReturnType<typeof serveOnFreePort>>;
  let folder: string;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
    served = await serveOnFreePort(system.app);
    folder = await mkdtemp(join(tmpdir(), 'cli-token-'));
  });
  afterAll(async () => {
    await served.close();
    await system.stop();
  });

  it('asks the shop with the token in the file, needing no secret of its own in production', async () => {
    const file = join(folder, 'token');
    await writeFile(file, `${await system.api.adminToken()}\n`);
    const production = { NODE_ENV: 'production', JWT_SECRET: '', CARD_TOKEN_KEY: '', ADMIN_PASSWORD: '' };
    const run = await sagas({ ...production, SAGA_SHOP_URL: served.url, SAGA_SHOP_TOKEN_FILE: file });
    expect(run).toMatchObject({ code: 0, stdout: 'no sagas\n' });
  });

  it('is refused with the token the file holds when the shop refuses it, and names a file it cannot read', async () => {
    const file = join(folder, 'wrong-token');
    await writeFile(file, 'not-a-token\n');
    const refused = await sagas({ SAGA_SHOP_URL: served.url, SAGA_SHOP_TOKEN_FILE: file });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the server refused the token .*: 401 /);
    const missing = await sagas({ SAGA_SHOP_URL: served.url, SAGA_SHOP_TOKEN_FILE: `${file}.missing` });
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: SAGA_SHOP_TOKEN_FILE: cannot read ${file}.missing (ENOENT)\n`,
    });
  });
});
