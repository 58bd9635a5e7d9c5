import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appCommand, appEnvironment } from './start-app';

export interface RunningApp {
  /** http://127.0.0.1:<the port it listens on> */
  url: string;
  /** Stops it as a terminal would (SIGTERM); resolves to everything it printed, stdout then stderr. */
  stop(): Promise<string>;
}

/**
 * Starts the app as `npm start` does (node --import tsx app/server/main.ts) and resolves once it
 * says it listens; rejects, with what it printed, when it exits first or takes over `timeoutMs`.
 */
export async function runApp(env: Record<string, string>, { timeoutMs = 60_000 } = {}): Promise<RunningApp> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'running-')));
  const child = spawn(process.execPath, appCommand(), {
    env: appEnvironment(env, dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  const output = () => `${stdout}${stderr}`;

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not listen within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.stdout.on('data', () => {
      // Whole lines only: the last may still be on its way.
      const listening = stdout
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; port?: number })
        .find((line) => line.msg === 'shop is listening');
      if (listening?.port === undefined) return;
      clearTimeout(timer);
      resolve(listening.port);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the app exited before it listened:\n${output()}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return output();
    },
  };
}
