import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The `saga-shop` command line as a child process: app/cli/index.ts under tsx, from the repository's root. */

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const ENTRY = 'app/cli/index.ts';

/** How a run of the CLI ended: its exit code and what it printed. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `saga-shop <args>` to its end, with `env` over this process's environment. */
export const cli = (env: Record<string, string>, ...args: string[]) =>
  new Promise<Run>((resolve) => {
    execFile(TSX, [ENTRY, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/** `saga-shop <args>` started, for a caller that reads its output as it comes or stops it. */
export const spawnCli = (env: Record<string, string>, ...args: string[]) =>
  spawn(TSX, [ENTRY, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
