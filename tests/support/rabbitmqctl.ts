import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `rabbitmqctl …` on the local node (it needs root or the rabbitmq user). */
export async function rabbitmqctl(args: string[], timeoutMs = 150_000): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * Every queue of `vhost` with the counters asked for (`messages`, `messages_unacknowledged`,
 * `consumers`…), as the node itself reports them: unlike a passive declare over AMQP, which
 * tells only the ready messages, this sees the deliveries a consumer has not acknowledged.
 */
export async function queueCounters<Counter extends string>(
  vhost: string,
  counters: readonly Counter[],
): Promise<({ name: string } & Record<Counter, number>)[]> {
  const out = await rabbitmqctl(['list_queues', '-q', '-p', vhost, '--formatter', 'json', 'name', ...counters], 30_000);
  return JSON.parse(out) as ({ name: string } & Record<Counter, number>)[];
}
