import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The nodes rabbitmqctl asks: those of the cluster under test (TEST_RABBITMQ_NODES, separated
 * by commas), or the machine's own node.
 */
const nodes = process.env.TEST_RABBITMQ_NODES?.split(',') ?? [undefined];

/** For a child process that runs rabbitmqctl itself (`npm run broker:setup`): the cluster's first node. */
export const rabbitmqctlEnv: Record<string, string> = nodes[0] ? { RABBITMQ_NODENAME: nodes[0] } : {};

/**
 * `rabbitmqctl …` (it needs root or the rabbitmq user) on the first node that answers: on a
 * cluster, any running node answers for every queue, and a test may have stopped one.
 */
export async function rabbitmqctl(args: string[], timeoutMs = 150_000): Promise<string> {
  let lastError: unknown;
  for (const node of nodes) {
    try {
      const { stdout } = await run('rabbitmqctl', node ? ['-n', node, ...args] : args, {
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
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
