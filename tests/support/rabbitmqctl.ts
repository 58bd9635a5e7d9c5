import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `rabbitmqctl …` on the local node (it needs root or the rabbitmq user). */
export async function rabbitmqctl(args: string[], timeoutMs = 150_000): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
