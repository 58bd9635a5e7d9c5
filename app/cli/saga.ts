import { Command, Option } from 'commander';
import { print } from '../../lib/cli';
import { adminClient, describeAnswer, type AdminClient } from '../../lib/http-client';
import { httpSource } from '../../saga/trace/trace-source';
import { bulkAction, type ActionName } from './bulk-action';
import { duration, filterFrom, filterOptions, type FilterOptions } from './saga-filter';
import { adminOptions, type SourceOptions } from './source';

/**
 * `saga-shop saga cancel|retry|extend <orderId> --reason …`: an operator's action on one running
 * saga, over the shop's REST API as an admin (POST /sagas/{orderId}/cancel, …); without an order
 * id, on every running saga a filter matches (`bulk-action.ts`).
 */
export function sagaCommand(): Command {
  const saga = new Command('saga').description(
    'Act on running sagas: cancel them, retry their steps, or extend them; one by its order id, or every one a filter matches.',
  );
  const action = (name: ActionName, description: string) =>
    filterOptions(
      saga
        .command(name)
        .description(description)
        .argument('[orderId]', 'the order (= saga) id; without it, every running saga the filter matches')
        .requiredOption('--reason <text>', 'why: the trace keeps it beside who acted'),
      // --reason is the operator's why, as for one saga: the filter on a cancel reason is --with-reason.
      '--with-reason',
    )
      .option('--yes', 'act on every saga the filter matches without asking (otherwise a dry run, or a question)')
      .option('--run-id <id>', 'finish an interrupted run: each saga is acted on once per run id')
      .option('--json', 'JSON lines, one per saga acted on')
      .option('--url <url>', 'the shop to ask (default: $SAGA_SHOP_URL, or http://localhost:$PORT)')
      .option('--token <jwt>', 'an admin token (default: $SAGA_SHOP_TOKEN, or log in with ADMIN_EMAIL/ADMIN_PASSWORD)')
      .addHelpText(
        'after',
        [
          '\nExamples:',
          `  saga-shop saga ${name} <orderId> --reason "…"${name === 'extend' ? ' --by 10m' : ''}`,
          `  saga-shop saga ${name} --step settlePayment --reason "…"${name === 'extend' ? ' --by 10m' : ''}   (a dry run)`,
          `  saga-shop saga ${name} --stuck --older-than 5m --reason "…"${name === 'extend' ? ' --by 10m' : ''} --yes`,
        ].join('\n'),
      );

  action('cancel', 'Cancel: it compensates, and the order ends CANCELLED_BY_OPERATOR.').action(
    (orderId: string | undefined, options: ActionOptions) => act('cancel', orderId, options, {}),
  );
  action('retry', 'Send the command of every step still awaited again (a participant has come back).').action(
    (orderId: string | undefined, options: ActionOptions) => act('retry', orderId, options, {}),
  );
  action('extend', 'Move the deadlines of the steps awaited on (at most SAGA_MAX_EXTEND_MS).')
    .addOption(new Option('--by <duration>', 'how long: 90s, 10m, 1h').makeOptionMandatory().argParser(duration))
    .action((orderId: string | undefined, options: ActionOptions & { by: number }) =>
      act('extend', orderId, options, { byMs: options.by }),
    );
  return saga;
}

interface ActionOptions extends Pick<SourceOptions, 'url' | 'token'> {
  /** The operator's why. */
  reason: string;
  yes?: true;
  runId?: string;
  json?: boolean;
}

async function act(name: ActionName, orderId: string | undefined, options: ActionOptions, extra: object) {
  const connection = adminOptions(options);
  const client = adminClient(connection);
  const body = { reason: options.reason, ...extra };
  const filter = filterFrom(options, 'withReason');
  const filtered = Object.keys(filter).length > 0;
  if (orderId !== undefined) {
    if (filtered) throw new Error('give an order id or a filter, not both');
    return actOnOne(client, name, orderId, body);
  }
  if (!filtered)
    throw new Error(
      'name a saga by its order id, or filter them (--status, --stuck, --step, --customer, …; see --help)',
    );
  await bulkAction(httpSource(connection), client, name, body, { ...options, filter });
}

async function actOnOne(client: AdminClient, name: ActionName, orderId: string, body: object) {
  const answer = await client.post(`/sagas/${orderId}/${name}`, body);
  if (answer.status !== 202) throw new Error(`${name} ${orderId}: ${describeAnswer(answer)}`);
  const { status, sent, ignored } = answer.body as { status: string; sent: string[]; ignored?: string };
  print([
    ignored
      ? `${name} ${orderId}: nothing changed (${ignored}); the saga is ${status}`
      : `${name} ${orderId}: the saga is ${status}${sent.length > 0 ? `; sent ${sent.join(', ')}` : ''}`,
  ]);
}
