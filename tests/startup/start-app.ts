import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Attempt {
  code: number | null;
  /** The log lines the process printed, parsed. */
  lines: { level: number; msg: string; [key: string]: unknown }[];
  /** Everything it printed, to look for a stack trace. */
  output: string;
  /** What DATA_DIR held afterwards. */
  files: string[];
}

const root = join(import.meta.dirname, '..', '..');

/** What `npm start` runs, without npm: node with tsx's loader on app/server/main.ts, then `args`. */
export const appCommand = (args: string[] = []) => [
  '--import',
  pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
  join(root, 'app/server/main.ts'),
  ...args,
];

/** The app's environment: this process's, on any free port in `dataDir`, at info level, then `env`. */
export const appEnvironment = (env: Record<string, string>, dataDir: string) => ({
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  PORT: '0',
  DATA_DIR: dataDir,
  ...env,
});

/**
 * Starts the app as `npm start` does (node --import tsx app/server/main.ts) and waits for it to give
 * up; in `cwd` when given (where it looks for a .env), the repository otherwise.
 */
export async function startApp(env: Record<string, string>, args: string[] = [], cwd = root): Promise<Attempt> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'startup-')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      appCommand(args),
      { cwd, env: appEnvironment(env, dataDir), timeout: 30_000 },
      async (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const lines = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line));
        const files = await readdir(dataDir).catch(() => []);
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, lines, output, files });
      },
    );
  });
}

/** The one fatal line of a start that failed. */
export const fatal = (attempt: Attempt) => attempt.lines.filter((line) => line.level === 60);
