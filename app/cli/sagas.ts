import { Command, InvalidArgumentError, Option } from 'commander';
import { print } from '../../lib/cli';
import { parseDuration, whyStuck } from '../../saga/trace/stuck';
import { sagaRowJson, sagaTable, type SagaSummary } from '../../saga/trace/trace-format';
import { listSagaSummaries, type StatusFilter } from '../../saga/trace/trace-source';
import { openSource, sourceOptions, type SourceOptions } from './source';

/** How many sagas still running `--stuck` looks at, newest first. */
const STUCK_SCAN = 1000;
const DEFAULT_QUIET = '30s';

export interface Options extends SourceOptions {
  status?: StatusFilter;
  olderThan?: number;
  stuck?: true | number;
  limit: number;
  json?: boolean;
}

const duration = (text: string) => {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 90s, 5m or 2h');
  return ms;
};
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

/** `saga-shop sagas` (`npm run sagas`): lists sagas, newest first; `--stuck` those that look stuck, and why. */
export function sagasCommand(): Command {
  return listOptions(
    sourceOptions(new Command('sagas').description('Lists sagas, newest first, or those that look stuck.')),
  )
    .option('--json', 'JSON lines, one per saga')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run sagas\n  npm run sagas -- --status PENDING --older-than 5m\n  npm run sagas -- --stuck\n  npm run sagas -- --stuck 2m --data-dir ./data --json',
    )
    .action(listSagas);
}

/** The options of a listing of sagas: `sagas`, and `trace --list`, which scripts rely on. */
export const listOptions = (command: Command) =>
  command
    .addOption(
      new Option('--status <status>', 'only sagas in this state (PENDING = running or compensating)').choices([
        'RUNNING',
        'COMPENSATING',
        'CONFIRMED',
        'CANCELLED',
        'PENDING',
      ]),
    )
    .option('--older-than <duration>', 'only sagas started longer ago than this (90s, 5m, 2h)', duration)
    .addOption(
      new Option(
        '--stuck [quiet]',
        `sagas not ended that are past a step deadline, or have heard nothing for longer than quiet (default ${DEFAULT_QUIET}); with the steps each waits on`,
      )
        .argParser(duration)
        .conflicts('status'),
    )
    .option('--limit <n>', 'at most this many sagas', positiveInt, 20);

/** Prints the sagas `options` ask for, newest first; with `--stuck`, those that look stuck and why. */
export async function listSagas(options: Options): Promise<void> {
  const source = await openSource(options);
  const now = new Date();
  const startedBefore = options.olderThan === undefined ? undefined : now.getTime() - options.olderThan;
  const old = (saga: SagaSummary) => startedBefore === undefined || Date.parse(saga.startedAt) < startedBefore;
  try {
    if (options.stuck === undefined) {
      // Filtered after the listing: ask for more than shown when only the old ones count.
      const scan = startedBefore === undefined ? options.limit : STUCK_SCAN;
      const rows = (await listSagaSummaries(source, options.status, scan)).filter(old).slice(0, options.limit);
      print(options.json ? rows.map(sagaRowJson) : sagaTable(rows));
      return;
    }
    const quietMs = options.stuck === true ? parseDuration(DEFAULT_QUIET)! : options.stuck;
    const why = new Map<string, string>();
    const rows: SagaSummary[] = [];
    for (const summary of (await listSagaSummaries(source, 'PENDING', STUCK_SCAN)).filter(old)) {
      const { saga } = await source.load(summary.orderId);
      const reason = saga && whyStuck(saga, now, quietMs);
      if (!reason) continue;
      why.set(saga.orderId, reason);
      rows.push(saga);
      if (rows.length === options.limit) break;
    }
    print(
      options.json
        ? rows.map((row) => JSON.stringify({ ...JSON.parse(sagaRowJson(row)), stuck: why.get(row.orderId) }))
        : sagaTable(rows, (row) => why.get(row.orderId)),
    );
  } finally {
    source.close();
  }
}
