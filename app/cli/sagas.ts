import { Command } from 'commander';
import { print } from '../../lib/cli';
import { sagaJson, sagaTable } from '../../saga/trace/saga-table';
import { filterOptions, positiveInt, quietOf, type FilterOptions } from './saga-filter';
import { matchingSagas, searchFor, type Match } from './matching-sagas';
import { openSource, sourceOptions, type SourceOptions } from './source';

export interface Options extends SourceOptions, FilterOptions {
  limit: number;
  cursor?: string;
  all?: true;
  json?: boolean;
}

/** `saga-shop sagas` (`npm run sagas`): finds sagas by what they are about, newest first, a page at a time. */
export function sagasCommand(): Command {
  return listOptions(
    sourceOptions(
      new Command('sagas').description('Finds sagas by what they are about, newest first, a page at a time.'),
    ),
  )
    .option('--json', 'JSON lines, one per saga')
    .addHelpText(
      'after',
      [
        '\nExamples:',
        '  npm run sagas',
        '  npm run sagas -- --status PENDING --older-than 5m',
        '  npm run sagas -- --stuck',
        '  npm run sagas -- --step settlePayment --customer ann@example.com',
        '  npm run sagas -- --reason PAYMENT_DECLINED --created-from 2h --all --json',
        '  npm run sagas -- --stuck 2m --data-dir ./data --json',
      ].join('\n'),
    )
    .action(listSagas);
}

/** The options of a listing of sagas: `sagas`, and `trace --list`, which scripts rely on. */
export const listOptions = (command: Command) =>
  filterOptions(command)
    .option('--limit <n>', 'at most this many sagas (a page)', positiveInt, 20)
    .option('--cursor <cursor>', 'the page after this one (printed under a page that has one)')
    .option('--all', 'every saga that matches, page after page');

/**
 * Prints the sagas `options` ask for, newest first, on stdout; under a page, on stderr, how many
 * match in all and the cursor of the next page, so stdout stays a table or JSON lines.
 */
export async function listSagas(options: Options): Promise<void> {
  const source = await openSource(options);
  const now = new Date();
  const show = (rows: Match[]) => {
    if (options.json) return print(rows.map(({ saga, stuck }) => sagaJson(saga, stuck ? { stuck } : {})));
    const why = new Map(rows.map(({ saga, stuck }) => [saga.orderId, stuck]));
    print(
      sagaTable(
        rows.map(({ saga }) => saga),
        (saga) => why.get(saga.orderId),
      ),
    );
  };
  try {
    const search = await searchFor(source, options, now);
    if (quietOf(options) === undefined && !options.all) {
      const page = await source.search(search, { limit: options.limit, cursor: options.cursor, count: true });
      show(page.items.map((saga) => ({ saga })));
      const next = page.nextCursor ? `; the next page: --cursor ${page.nextCursor}` : '';
      process.stderr.write(`${page.items.length} of ${page.count} matching${next}\n`);
      return;
    }
    // Stuck is judged here, saga by saga: read pages until a page's worth is found.
    const rows: Match[] = [];
    for await (const match of matchingSagas(source, search, options, now, options.cursor)) {
      rows.push(match);
      if (!options.all && rows.length === options.limit) break;
    }
    show(rows);
  } finally {
    source.close();
  }
}
