import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { brokerRoles, urlVariable, type BrokerRole } from '../../broker/operator/rabbitmq-permissions';
import { rabbitmqctl, rabbitmqctlEnv } from './rabbitmqctl';
import { nodeUrls } from '../../broker/rabbitmq/urls';
import { rabbitUrl } from './system';

const run = promisify(execFile);

/** A vhost, namespace and users made by `npm run broker:setup`, as a deployment would have them. */
export interface LeastPrivilege {
  namespace: string;
  vhost: string;
  url: Record<BrokerRole, string>;
  username: Record<BrokerRole, string>;
  /** BROKER_NAMESPACE and every BROKER_URL_<ROLE>: the environment of the setup command. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** Runs the setup command (the real CLI) for a fresh vhost and users; `remove()` deletes them. */
export async function setUpLeastPrivilege(): Promise<LeastPrivilege> {
  const id = randomUUID().slice(0, 8);
  const namespace = `lp-${id}`;
  const vhost = `lp-${id}`;
  // On a cluster, each role's URL lists every node, as a deployment's would.
  const hosts = nodeUrls(rabbitUrl).map((node) => new URL(node).host);
  const username = Object.fromEntries(brokerRoles.map((role) => [role, `lp-${id}-${role}`])) as Record<
    BrokerRole,
    string
  >;
  const url = Object.fromEntries(
    brokerRoles.map((role) => {
      const password = randomUUID();
      return [role, hosts.map((host) => `amqp://${username[role]}:${password}@${host}/${vhost}`).join(',')];
    }),
  ) as Record<BrokerRole, string>;
  const env = {
    BROKER_NAMESPACE: namespace,
    ...Object.fromEntries(brokerRoles.map((role) => [urlVariable(role), url[role]])),
  };
  await setupCli(env);
  return {
    namespace,
    vhost,
    url,
    username,
    env,
    async remove() {
      await rabbitmqctl(['delete_vhost', vhost]);
      for (const role of brokerRoles) await rabbitmqctl(['delete_user', username[role]]);
    },
  };
}

/** `npm run broker:setup` with `env` on top of this process's; rejects with its stderr. */
export async function setupCli(env: Record<string, string>, args: string[] = []): Promise<string> {
  const { stdout } = await run('npx', ['tsx', 'broker/operator/setup-cli.ts', ...args], {
    env: { ...process.env, ...rabbitmqctlEnv, ...env },
    timeout: 120_000,
  });
  return stdout;
}

/** What the broker said to one operation: it went through, or it was refused with this reply. */
export type Outcome = 'accepted' | { code: number; message: string };

/**
 * Runs `use` on a fresh confirm channel and reports whether RabbitMQ accepted it. A refused
 * operation closes the channel with the broker's reply (403 ACCESS_REFUSED, naming what and
 * whom), which is what this returns, so a test cannot mistake another failure for a refusal.
 */
export async function attempt(
  model: ChannelModel,
  use: (channel: ConfirmChannel) => Promise<unknown>,
): Promise<Outcome> {
  const channel = await model.createConfirmChannel();
  let closedWith: { code: number; message: string } | undefined;
  channel.on('error', (error: { code: number; message: string }) => (closedWith = error));
  try {
    await use(channel);
    await channel.waitForConfirms();
  } catch (error) {
    closedWith ??= error as { code: number; message: string };
  }
  await channel.close().catch(() => {});
  return closedWith ? { code: closedWith.code, message: closedWith.message } : 'accepted';
}

/** Publishes and waits for the broker's confirm. */
export function publish(exchange: string, routingKey: string, body: string, headers?: Record<string, unknown>) {
  return (channel: ConfirmChannel) =>
    new Promise<void>((resolve, reject) =>
      channel.publish(exchange, routingKey, Buffer.from(body), { headers, persistent: true }, (error) =>
        error ? reject(error as Error) : resolve(),
      ),
    );
}

/** A plain AMQP connection as `role`'s user, on the first node of its URL. */
export const connectAs = (setup: LeastPrivilege, role: BrokerRole) => connect(nodeUrls(setup.url[role])[0]!);
