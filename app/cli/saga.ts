import { Command, InvalidArgumentError, Option } from 'commander';
import { print } from '../../lib/cli';
import { adminClient, describeAnswer } from '../../lib/http-client';
import { parseDuration } from '../../saga/trace/stuck';
import { adminOptions, type SourceOptions } from './source';

/**
 * `saga-shop saga cancel|retry|extend <orderId> --reason …`: an operator's action on one
 * running saga, over the shop's REST API as an admin (POST /sagas/{orderId}/cancel, …).
 */
export function sagaCommand(): Command {
  const saga = new Command('saga').description('Act on one running saga: cancel it, retry its steps, or extend them.');
  const action = (name: 'cancel' | 'retry' | 'extend', description: string) =>
    saga
      .command(name)
      .description(description)
      .argument('<orderId>', 'the order (= saga) id')
      .requiredOption('--reason <text>', 'why: the trace keeps it beside who acted')
      .option('--url <url>', 'the shop to ask (default: $SAGA_SHOP_URL, or http://localhost:$PORT)')
      .option('--token <jwt>', 'an admin token (default: $SAGA_SHOP_TOKEN, or log in with ADMIN_EMAIL/ADMIN_PASSWORD)');

  action('cancel', 'Cancel it: it compensates, and the order ends CANCELLED_BY_OPERATOR.').action(
    (orderId: string, options: ActionOptions) => act('cancel', orderId, options, {}),
  );
  action('retry', 'Send the command of every step it still awaits again (a participant has come back).').action(
    (orderId: string, options: ActionOptions) => act('retry', orderId, options, {}),
  );
  action('extend', 'Move the deadlines of the steps it awaits on (at most SAGA_MAX_EXTEND_MS).')
    .addOption(new Option('--by <duration>', 'how long: 90s, 10m, 1h').makeOptionMandatory().argParser(duration))
    .action((orderId: string, options: ActionOptions & { by: number }) =>
      act('extend', orderId, options, { byMs: options.by }),
    );
  return saga;
}

interface ActionOptions extends Pick<SourceOptions, 'url' | 'token'> {
  reason: string;
}

async function act(name: string, orderId: string, options: ActionOptions, extra: object) {
  const client = adminClient(adminOptions(options));
  const answer = await client.post(`/sagas/${orderId}/${name}`, { reason: options.reason, ...extra });
  if (answer.status !== 202) throw new Error(`${name} ${orderId}: ${describeAnswer(answer)}`);
  const { status, sent, ignored } = answer.body as { status: string; sent: string[]; ignored?: string };
  print([
    ignored
      ? `${name} ${orderId}: nothing changed (${ignored}); the saga is ${status}`
      : `${name} ${orderId}: the saga is ${status}${sent.length > 0 ? `; sent ${sent.join(', ')}` : ''}`,
  ]);
}

function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError(`"${text}" is not a duration such as 90s, 10m or 1h`);
  return Math.round(ms);
}
