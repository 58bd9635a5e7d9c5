import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Makes sure `dir` is a folder this process can write its database files into, creating it
 * and its missing parents one at a time. Throws, naming the folder and why, before anything
 * is written there. (A recursive mkdir under /proc spins forever instead of failing.)
 */
export function prepareDataDir(dir: string): void {
  const missing: string[] = [];
  let existing = dir;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  if (!statSync(existing).isDirectory()) throw new Error(`${existing} is a file, not a folder`);
  for (const folder of missing) mkdirSync(folder);
  const probe = join(dir, `.write-test-${process.pid}`);
  writeFileSync(probe, '');
  unlinkSync(probe);
}
