import { queueCounters, rabbitmqctl } from '../support/rabbitmqctl';
import { rabbitUrl } from '../support/system';
import { canConnect } from './ports';

const amqpPort = () => Number(new URL(rabbitUrl).port || 5672);
const amqpHost = () => new URL(rabbitUrl).hostname;

/** Stops the RabbitMQ application (the Erlang node stays up): every client connection drops. */
export async function stopRabbitApp(): Promise<void> {
  await rabbitmqctl(['stop_app']);
}

/**
 * Starts the RabbitMQ application if it is stopped, then waits until it has booted and
 * accepts AMQP connections. Safe to call when it is running; every fault test that stops
 * RabbitMQ calls it in a finally and again in its clean-up.
 */
export async function ensureRabbitUp({ timeoutMs = 120_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await rabbitmqctl(['start_app']);
      await rabbitmqctl(['await_startup', '--timeout', String(Math.ceil((deadline - Date.now()) / 1000))]);
      while (Date.now() < deadline) {
        if (await canConnect(amqpPort(), amqpHost())) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(`RabbitMQ did not come back within ${timeoutMs} ms: ${String(lastError)}`);
}

export interface QueueInfo {
  name: string;
  messages: number;
  consumers: number;
}

/** The queues of one namespace (in the default vhost), with their ready+unacked message count and consumer count. */
export async function queuesOf(namespace: string): Promise<QueueInfo[]> {
  const all = await queueCounters('/', ['messages', 'consumers']);
  return all.filter((queue) => queue.name.startsWith(`${namespace}.`));
}
