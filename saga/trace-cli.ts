import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../app/config';
import { isFinished, jsonRenderer, textRenderer, type Renderer } from './trace-format';
import { drawSaga, mermaidSaga } from './trace-picture';
import { httpSource, listSagaSummaries, storeSource, type StatusFilter, type TraceSource } from './trace-source';
import { orExit, print, runCli } from '../lib/cli';

/** `npm run trace -- <orderId>`: prints a saga message by message; see DESIGN.md "The event-trace CLI". */

const POLL_MS = 500;

interface Options {
  json?: boolean;
  url: string;
  token?: string;
  dataDir?: string;
  follow?: boolean;
  list?: boolean;
  picture?: boolean;
  mermaid?: boolean;
  status?: StatusFilter;
  limit: number;
}

const config = orExit(() => loadConfig());

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const program = new Command('trace')
  .description("Prints an order's saga message by message, ending with its terminal state; or lists sagas.")
  .argument('[orderId]', 'the order (= saga) id; not with --list')
  .option('--json', 'JSON lines: one per message, then one with the final state')
  .option('--url <url>', 'the shop to ask', `http://localhost:${config.port}`)
  .option('--token <jwt>', 'an admin token (default: log in with ADMIN_EMAIL/ADMIN_PASSWORD)')
  .addOption(
    new Option('--data-dir <dir>', 'read the saga store under this DATA_DIR instead of HTTP').conflicts([
      'url',
      'token',
    ]),
  )
  .addOption(
    new Option('-f, --follow', `poll every ${POLL_MS} ms, printing new messages until the saga ends`).conflicts('list'),
  )
  .addOption(
    new Option('--picture', 'draw the saga as a sequence diagram, one lifeline per service').conflicts([
      'json',
      'list',
    ]),
  )
  .addOption(
    new Option('--mermaid', 'print the picture as a Mermaid sequenceDiagram (GitHub renders it)').conflicts([
      'json',
      'list',
      'picture',
    ]),
  )
  .option('--list', 'list sagas: order id, status, started, updated (newest first)')
  .addOption(
    new Option(
      '--status <status>',
      'with --list: only sagas in this state (PENDING = running or compensating)',
    ).choices(['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED', 'PENDING']),
  )
  .option('--limit <n>', 'with --list: at most this many sagas', positiveInt, 20)
  .addHelpText(
    'after',
    '\nExamples:\n  npm run trace -- <orderId>\n  npm run trace -- <orderId> --picture\n  npm run trace -- <orderId> --mermaid > saga.mmd\n  npm run trace -- <orderId> --follow\n  npm run trace -- --list --status PENDING\n  npm run trace -- <orderId> --data-dir ./data --json',
  )
  .action(async (orderId: string | undefined, options: Options, command: Command) => {
    if (options.list && orderId) command.error('error: give an order id or --list, not both');
    if (!options.list && !orderId) command.error('error: missing order id (or use --list)');
    if (!options.list && (options.status || command.getOptionValueSource('limit') === 'cli')) {
      command.error('error: --status and --limit go with --list');
    }
    const renderer = options.json ? jsonRenderer : textRenderer;
    const source = options.dataDir
      ? await storeSource(options.dataDir)
      : httpSource({ url: options.url, token: options.token, admin: config.admin });
    try {
      if (options.list) print(renderer.sagas(await listSagaSummaries(source, options.status, options.limit)));
      else if (options.picture || options.mermaid)
        await picture(source, options.mermaid ? mermaidSaga : drawSaga, orderId!, options.follow ?? false);
      else await trace(source, renderer, orderId!, options.follow ?? false);
    } finally {
      source.close();
    }
  });

/** Prints the messages of a saga; with `follow`, keeps printing new ones until it is CONFIRMED or CANCELLED. */
async function trace(source: TraceSource, renderer: Renderer, orderId: string, follow: boolean) {
  let shown = 0;
  let origin: string | undefined;
  for (;;) {
    const { saga, messages } = await source.load(orderId);
    origin ??= messages[0]?.occurredAt;
    if (origin) print(messages.slice(shown).map((entry) => renderer.message(entry, origin!)));
    shown = messages.length;
    if (!follow || isFinished(saga)) {
      print([renderer.end(orderId, saga)]);
      return;
    }
    await sleep(POLL_MS);
  }
}

/** Draws the saga; with `follow`, once it is CONFIRMED or CANCELLED. */
async function picture(source: TraceSource, draw: typeof drawSaga, orderId: string, follow: boolean) {
  for (;;) {
    const { saga, messages } = await source.load(orderId);
    if (!follow || isFinished(saga)) return print(draw(messages, saga));
    await sleep(POLL_MS);
  }
}

await runCli(program);
