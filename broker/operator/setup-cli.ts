import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { print, runCli } from '../../lib/cli';
import { withSecretFiles } from '../../lib/secret-files';
import { brokerDefinitions, type DefinitionsInput } from './rabbitmq-definitions';
import { brokerRoles, urlVariable } from './rabbitmq-permissions';
import { setupInput } from './setup-input';
import { publications } from '../../contracts/topology';

/**
 * `npm run broker:setup`: least privilege on RabbitMQ. From the URLs each role connects with
 * (BROKER_URL_<ROLE>: users, products, orders, payments, orchestrator, and optionally operator;
 * each one node's URL or a cluster's nodes separated by commas) it makes their vhost, a user
 * each with its permissions, and the whole topology with the services' queue type
 * (BROKER_QUEUE_TYPE, BROKER_DELIVERY_LIMIT), then imports them with rabbitmqctl, or writes
 * them to a file for a node to load at boot. What it reads, and refuses, is setup-input.ts; each
 * URL may come from a file instead, as BROKER_URL_<ROLE>_FILE (lib/secret-files.ts).
 */

const program = new Command('broker:setup')
  .description(
    'Create the RabbitMQ vhost, a user per service with least-privilege permissions, and the topology, from BROKER_URL_<ROLE>, BROKER_NAMESPACE and BROKER_QUEUE_TYPE.',
  )
  .option('--output <file>', 'write the definitions (JSON) to this file instead of importing them')
  .option('--rabbitmqctl <command>', 'the rabbitmqctl that imports them', 'rabbitmqctl')
  .addHelpText(
    'after',
    '\nExample:\n  BROKER_URL_ORDERS=amqp://shop-orders:secret@127.0.0.1:5672/shop … npm run broker:setup' +
      '\nBROKER_QUEUE_TYPE=quorum (BROKER_DELIVERY_LIMIT, default 20) declares quorum queues, as the services must then be told.',
  )
  .action(async (options: { output?: string; rabbitmqctl: string }) => {
    const input = setupInput(withSecretFiles(process.env, brokerRoles.map(urlVariable)));
    const definitions = JSON.stringify(brokerDefinitions(input), null, 2);
    // The file holds password hashes: readable by its owner only.
    if (options.output) await writeFile(options.output, definitions, { mode: 0o600 });
    else await importDefinitions(options.rabbitmqctl, definitions);
    print(summary(input));
  });

await runCli(program);

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

function summary({ namespace, vhost, queueKind, users }: DefinitionsInput): string[] {
  const queues =
    queueKind.type === 'quorum' ? `quorum queues (delivery limit ${queueKind.deliveryLimit})` : 'classic queues';
  return [
    `vhost ${vhost}, namespace ${namespace}, ${queues}:`,
    ...users.map(({ role, username }) => {
      const may =
        role === 'operator'
          ? 'reads every dead-letter queue and replays into each service'
          : `consumes ${namespace}.${role}, publishes ${publications[role].join(', ')}`;
      return `  ${role.padEnd(12)} ${username.padEnd(24)} ${may}`;
    }),
  ];
}
