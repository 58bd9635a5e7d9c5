import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { print } from '../../lib/cli';
import { isFinished, jsonRenderer, textRenderer, type Renderer } from '../../saga/trace/trace-format';
import { drawSaga, mermaidSaga } from '../../saga/trace/trace-picture';
import type { TraceSource } from '../../saga/trace/trace-source';
import { listOptions, listSagas, type Options as ListOptions } from './sagas';
import { sourceOptions, openSource, type SourceOptions } from './source';

/** `saga-shop trace <orderId>` (`npm run trace -- <orderId>`): a saga message by message, or drawn. */

const POLL_MS = 500;

interface Options extends SourceOptions, ListOptions {
  list?: boolean;
  json?: boolean;
  payload?: boolean;
  follow?: boolean;
  picture?: boolean;
  mermaid?: boolean;
}

export function traceCommand(): Command {
  return listOptions(
    sourceOptions(
      new Command('trace')
        .description(
          "Prints an order's saga message by message, ending with its terminal state, or draws it; with --list, lists sagas.",
        )
        .argument('[orderId]', 'the order (= saga) id'),
    ).option('--list', 'list sagas instead, as `saga-shop sagas` does (its options apply)'),
  )
    .option('--json', 'JSON lines: one per message (with its data and what it changed), then one with the final state')
    .option('--payload', "print each message's data under it (the card stays sealed)")
    .addOption(
      new Option('--picture', 'draw the saga as a sequence diagram, one lifeline per service').conflicts([
        'json',
        'payload',
      ]),
    )
    .addOption(
      new Option('--mermaid', 'print the picture as a Mermaid sequenceDiagram (GitHub renders it)').conflicts([
        'json',
        'picture',
        'payload',
      ]),
    )
    .option('-f, --follow', `poll every ${POLL_MS} ms until the saga ends, printing new messages as they come`)
    .addHelpText(
      'after',
      '\nExamples:\n  npm run trace -- <orderId>\n  npm run trace -- <orderId> --payload\n  npm run trace -- <orderId> --picture\n  npm run trace -- <orderId> --mermaid > saga.mmd\n  npm run trace -- <orderId> --follow\n  npm run trace -- <orderId> --data-dir ./data --json\n  npm run trace -- --list --status PENDING',
    )
    .action(async (orderId: string | undefined, options: Options, command: Command) => {
      if (options.list) return listSagas(options);
      if (!orderId) command.error('error: give the order id of a saga, or --list');
      const source = await openSource(options);
      const follow = options.follow ?? false;
      try {
        if (options.picture || options.mermaid)
          await picture(source, options.mermaid ? mermaidSaga : drawSaga, orderId, follow);
        else await trace(source, options.json ? jsonRenderer : textRenderer(options), orderId, follow);
      } finally {
        source.close();
      }
    });
}

/** Prints the messages of a saga; with `follow`, keeps printing new ones until it is CONFIRMED or CANCELLED. */
async function trace(source: TraceSource, renderer: Renderer, orderId: string, follow: boolean) {
  let shown = 0;
  let origin: string | undefined;
  for (;;) {
    const { saga, messages } = await source.load(orderId);
    origin ??= messages[0]?.occurredAt;
    if (origin) print(messages.slice(shown).flatMap((entry) => renderer.message(entry, origin!)));
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
    if (!follow || isFinished(saga)) return print(draw(messages, saga, new Date()));
    await sleep(POLL_MS);
  }
}
