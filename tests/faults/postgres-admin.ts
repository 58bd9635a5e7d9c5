import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/**
 * The machine's PostgreSQL server, stopped and started as /work/shared/notes/local-servers.md
 * says (pg_ctlcluster, as root). POSTGRES_CLUSTER names the cluster, `15/main` unless given.
 */
const [version, cluster] = (process.env.POSTGRES_CLUSTER ?? '15/main').split('/') as [string, string];
const host = () => new URL(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres').hostname;
const run = promisify(execFile);

const pgCtlCluster = (action: string, ...extra: string[]) =>
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, action, ...extra], { timeout: 60_000 });

/** Whether the server accepts connections (`pg_isready -h <host>`). */
export async function postgresReady(): Promise<boolean> {
  try {
    await run('pg_isready', ['-h', host(), '-t', '2'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Stops the server at once (fast shutdown: every session is ended, its open transaction rolled back). */
export async function stopPostgres(): Promise<void> {
  await pgCtlCluster('stop', '-m', 'fast');
}

/**
 * Starts the server if it does not answer, then waits until `pg_isready` says it accepts
 * connections. Safe to call when it runs; the restart test calls it in a finally and again in
 * its clean-up, so the machine's server is never left stopped.
 */
export async function ensurePostgresUp({ timeoutMs = 120_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (await postgresReady()) return;
    try {
      await pgCtlCluster('start');
    } catch (error) {
      // Already starting or running: pg_isready decides.
      lastError = error;
    }
    for (let i = 0; i < 20 && Date.now() < deadline; i++) {
      if (await postgresReady()) return;
      await sleep(250);
    }
  }
  throw new Error(`PostgreSQL did not come back within ${timeoutMs} ms: ${String(lastError)}`);
}
