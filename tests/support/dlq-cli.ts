import { cli, type Run } from './cli';

/** `npm run dlq -- <args>` as a child process, with `env` over this process's environment. */
export const dlq = (env: Record<string, string>, ...args: string[]): Promise<Run> => cli(env, 'dlq', ...args);
