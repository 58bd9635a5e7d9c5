import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';

/**
 * Asks `question` on a terminal and resolves whether the answer was yes; false without one
 * (input piped or closed), so a destructive command run by a script needs its --yes.
 */
export async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

/** Writes lines to stdout, one per line. */
export function print(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Runs a command-line program: a failure is one `error: …` line on stderr and exit code 1,
 * never a stack; a reader that closes the pipe early (`… | head`) is not an error.
 */
export async function runCli(program: Command): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  try {
    await program.parseAsync();
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

/** A step a program cannot start without (reading its settings): on failure, its one line and exit code 1. */
export function orExit<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
