import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { print, runCli } from '../../lib/cli';
import { brokerDefinitions, type BrokerUser, type DefinitionsInput } from './rabbitmq-definitions';
import { brokerRoles, urlVariable, vhostOf, type BrokerRole } from './rabbitmq-permissions';
import { publications } from '../../contracts/topology';

/**
 * `npm run broker:setup`: least privilege on RabbitMQ. From the URLs each role connects with
 * (BROKER_URL_<ROLE>: users, products, orders, payments, orchestrator, and optionally operator)
 * it makes their vhost, a user each with its permissions, and the whole topology, then
 * imports them with rabbitmqctl, or writes them to a file for a node to load at boot.
 */

const program = new Command('broker:setup')
  .description(
    'Create the RabbitMQ vhost, a user per service with least-privilege permissions, and the topology, from BROKER_URL_<ROLE> and BROKER_NAMESPACE.',
  )
  .option('--output <file>', 'write the definitions (JSON) to this file instead of importing them')
  .option('--rabbitmqctl <command>', 'the rabbitmqctl that imports them', 'rabbitmqctl')
  .addHelpText(
    'after',
    '\nExample:\n  BROKER_URL_ORDERS=amqp://shop-orders:secret@127.0.0.1:5672/shop … npm run broker:setup',
  )
  .action(async (options: { output?: string; rabbitmqctl: string }) => {
    const input = setupInput(process.env);
    const definitions = JSON.stringify(brokerDefinitions(input), null, 2);
    // The file holds password hashes: readable by its owner only.
    if (options.output) await writeFile(options.output, definitions, { mode: 0o600 });
    else await importDefinitions(options.rabbitmqctl, definitions);
    print(summary(input));
  });

await runCli(program);

function setupInput(env: NodeJS.ProcessEnv): DefinitionsInput {
  const missing = brokerRoles.filter((role) => role !== 'operator' && !env[urlVariable(role)]);
  if (missing.length > 0) throw new Error(`set ${missing.map(urlVariable).join(', ')}`);
  const users = brokerRoles.flatMap((role) => {
    const url = env[urlVariable(role)];
    return url ? [userOf(role, url)] : [];
  });
  const vhosts = new Set(users.map((user) => user.vhost));
  if (vhosts.size > 1)
    throw new Error(`every BROKER_URL_<ROLE> must name the same vhost, not ${[...vhosts].join(' and ')}`);
  const usernames = users.map((user) => user.username);
  const shared = usernames.find((name, index) => usernames.indexOf(name) !== index);
  if (shared) throw new Error(`each role needs a user of its own; ${shared} is given twice`);
  return { namespace: env.BROKER_NAMESPACE || 'shop', vhost: users[0]!.vhost, users };
}

function userOf(role: BrokerRole, raw: string): BrokerUser & { vhost: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${urlVariable(role)} is not a URL`);
  }
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (!username || !password) throw new Error(`${urlVariable(role)} must carry a user name and a password`);
  return { role, username, password, vhost: vhostOf(url) };
}

function importDefinitions(rabbitmqctl: string, definitions: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(rabbitmqctl, ['--quiet', 'import_definitions', '--format', 'json'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`cannot run ${rabbitmqctl}: ${error.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${rabbitmqctl} import_definitions failed: ${stderr.trim()}`)),
    );
    child.stdin.end(definitions);
  });
}

function summary({ namespace, vhost, users }: DefinitionsInput): string[] {
  return [
    `vhost ${vhost}, namespace ${namespace}:`,
    ...users.map(({ role, username }) => {
      const may =
        role === 'operator'
          ? 'reads every dead-letter queue and replays into each service'
          : `consumes ${namespace}.${role}, publishes ${publications[role].join(', ')}`;
      return `  ${role.padEnd(12)} ${username.padEnd(24)} ${may}`;
    }),
  ];
}
