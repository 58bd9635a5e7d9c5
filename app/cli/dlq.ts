import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig } from '../server/config';
import { stderrLogger } from '../../lib/logger';
import type { ServiceName } from '../../contracts';
import type { Broker, DeadLetter } from '../../broker/broker';
import { brokerFile, connectBroker } from '../../broker/connect';
import { jsonRenderer, textRenderer, type DeadLetterRenderer } from '../../broker/operator/dlq-format';
import { queueNames } from '../../contracts/topology';
import { confirmed, print } from '../../lib/cli';

/**
 * `saga-shop dlq <command>` (`npm run dlq -- <command>`): lists, shows, replays and purges dead letters on the broker the
 * app is configured with (BROKER_URL and BROKER_NAMESPACE, or the broker file under DATA_DIR,
 * which the running app may have open: it picks a replayed message up within a second).
 */

interface Options {
  json?: boolean;
  queue?: ServiceName;
  all?: boolean;
  yes?: boolean;
}

const queueOption = () =>
  new Option('--queue <service>', 'only this service’s dead letters (default: every service)').choices(queueNames);

export function dlqCommand(): Command {
  const program = new Command('dlq')
    .description('Inspect, replay and purge the dead letters of each service’s queue.')
    .option('--json', 'print JSON lines instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run dlq -- list\n  npm run dlq -- show <id>\n  npm run dlq -- replay <id>\n  npm run dlq -- replay --all --queue payments\n  npm run dlq -- purge --queue users',
    );

  program
    .command('list')
    .description('per service: id, age, type, attempts and reason of each dead letter, oldest first')
    .addOption(queueOption())
    .action((_options, command: Command) =>
      withBroker(command, async (broker, render, options) => {
        const now = new Date();
        for (const queue of selected(options)) print(render.list(queue, await broker.deadLetters(queue), now));
      }),
    );

  program
    .command('show')
    .description('one dead letter in full, payload included')
    .argument('<id>', 'the dead letter’s id, as `list` prints it')
    .action((id: string, _options, command: Command) =>
      withBroker(command, async (broker, render) => print(render.show(await find(broker, id), new Date()))),
    );

  program
    .command('replay')
    .description('send dead letters back to their queue as fresh deliveries (attempt 1)')
    .argument('[id]', 'the dead letter to replay')
    .option('--all', 'every dead letter (of --queue, or of every service)')
    .addOption(queueOption())
    .action((id: string | undefined, options: Options, command: Command) => {
      if (id !== undefined && (options.all || options.queue)) {
        command.error('error: give an id, or --all [--queue <service>], not both');
      }
      if (id === undefined && !options.all) command.error('error: give the id of a dead letter to replay, or --all');
      return withBroker(command, async (broker, render) => {
        if (id === undefined) {
          const replayed: DeadLetter[] = [];
          for (const queue of selected(options)) replayed.push(...(await broker.replayDeadLetters(queue)));
          print(render.replayed(replayed));
          return;
        }
        const letter = await broker.replayDeadLetter(id);
        if (!letter) throw new Error(`no dead letter with id ${id}`);
        print(render.replayed([letter]));
      });
    });

  program
    .command('purge')
    .description('delete dead letters for good: asks first on a terminal, needs --yes otherwise')
    .addOption(queueOption())
    .option('--yes', 'do not ask')
    .action((_options, command: Command) =>
      withBroker(command, async (broker, render, options) => {
        const queues = selected(options);
        if (!options.yes) {
          let count = 0;
          for (const queue of queues) count += (await broker.deadLetters(queue)).length;
          if (!(await confirmed(`delete ${count} dead letter(s) of ${queues.join(', ')} for good?`)))
            throw new Error('nothing purged (on a terminal, answer y; otherwise pass --yes)');
        }
        for (const queue of queues) print(render.purged(queue, await broker.purgeDeadLetters(queue)));
      }),
    );
  return program;
}

async function withBroker(
  command: Command,
  use: (broker: Broker, render: DeadLetterRenderer, options: Options) => Promise<void>,
): Promise<void> {
  const options = command.optsWithGlobals<Options>();
  // It signs, seals and logs in with nothing, so production asks it for no secret.
  const config = loadConfig(process.env, { secrets: [] });
  if (config.transport === 'rabbitmq' && !config.brokerUrl) {
    throw new Error(
      'set BROKER_URL (the operator’s URL, under least privilege): the services’ own URLs may not read dead letters',
    );
  }
  // Opening would create an empty broker file: a mistyped DATA_DIR deserves an error instead.
  if (!config.brokerUrl && !existsSync(brokerFile(config.dataDir))) {
    throw new Error(`no broker database at ${brokerFile(config.dataDir)} (is DATA_DIR right?)`);
  }
  const broker = await connectBroker({ ...config, connectTimeoutMs: 5_000 }, stderrLogger());
  try {
    await use(broker, options.json ? jsonRenderer : textRenderer, options);
  } finally {
    await broker.close();
  }
}

const selected = (options: Options): readonly ServiceName[] => (options.queue ? [options.queue] : queueNames);

async function find(broker: Broker, id: string): Promise<DeadLetter> {
  for (const queue of queueNames) {
    const letter = (await broker.deadLetters(queue)).find((each) => each.id === id);
    if (letter) return letter;
  }
  throw new Error(`no dead letter with id ${id}`);
}
