// First: the settings of .env, before any module reads the environment.
import '../server/env-file';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runCli } from '../../lib/cli';
import { auditCommand } from './audit';
import { dlqCommand } from './dlq';
import { sagaCommand } from './saga';
import { sagasCommand } from './sagas';
import { shopCommand } from './shop';
import { traceCommand } from './trace';

/**
 * `saga-shop`, the one command line of the shop (bin/saga-shop.mjs; `npm run trace`, `sagas`,
 * `audit`, `dlq` and `shop` are its subcommands, beside `saga`). Each failure is one `error: …` line and exit code 1.
 */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('saga-shop')
  .version(version)
  .description('Watch and operate the saga shop: its sagas, their invariants, their dead letters; shop in it.')
  .addCommand(traceCommand())
  .addCommand(sagasCommand())
  .addCommand(sagaCommand())
  .addCommand(auditCommand())
  .addCommand(dlqCommand())
  .addCommand(shopCommand());

await runCli(program);
