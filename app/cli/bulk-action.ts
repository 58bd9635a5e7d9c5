import { Presets, SingleBar } from 'cli-progress';
import { confirmed, print } from '../../lib/cli';
import { newId } from '../../lib/ids';
import { describeAnswer, type AdminClient, type Answer } from '../../lib/http-client';
import { sagaTable } from '../../saga/trace/saga-table';
import type { TraceSource } from '../../saga/trace/trace-source';
import { matchingSagas, searchFor, type Match } from './matching-sagas';
import type { FilterOptions } from './saga-filter';

export type ActionName = 'cancel' | 'retry' | 'extend';

export interface BulkOptions {
  filter: FilterOptions;
  /** Act without asking; without it the run is a dry run, or asks on a terminal. */
  yes?: true;
  /** The id of an earlier run of the same action, to finish it: each saga is acted on once per run id. */
  runId?: string;
  json?: boolean;
}

const past: Record<ActionName, string> = { cancel: 'cancelled', retry: 'retried', extend: 'extended' };

/** What became of one saga in a run. */
type Outcome = 'acted' | 'unchanged' | 'done before' | 'ended meanwhile' | 'gone' | 'failed';

/**
 * `saga-shop saga <action> --reason … <filter>`: the action on every running saga the filter
 * matches, over the REST routes. A dry run lists them and how many; `--yes` (or a yes on a
 * terminal) acts, one saga after another, each request keyed by the run's id and the saga's,
 * so a run interrupted and started again with its `--run-id` acts on each saga once.
 */
export async function bulkAction(
  source: TraceSource,
  client: AdminClient,
  name: ActionName,
  body: object,
  options: BulkOptions,
): Promise<void> {
  const { status } = options.filter;
  if (status === 'CONFIRMED' || status === 'CANCELLED')
    throw new Error(`an ended saga takes no action: filter on --status RUNNING, COMPENSATING or PENDING`);
  const now = new Date();
  const filter = { ...options.filter, status: status ?? 'PENDING' };
  const targets: Match[] = [];
  for await (const match of matchingSagas(source, await searchFor(source, filter, now), filter, now))
    targets.push(match);
  if (targets.length === 0) return print(['no running saga matches']);

  if (!options.yes) {
    const why = new Map(targets.map(({ saga, stuck }) => [saga.orderId, stuck]));
    print([
      ...sagaTable(
        targets.map(({ saga }) => saga),
        (saga) => why.get(saga.orderId),
      ),
      `${targets.length} saga${targets.length === 1 ? '' : 's'} would be ${past[name]}.`,
    ]);
    if (!(await confirmed(`${name} these ${targets.length} sagas?`)))
      return print(['nothing done: run it again with --yes to act']);
  }

  const runId = options.runId ?? newId();
  process.stderr.write(`run ${runId}: if it stops half-way, the same command with --run-id ${runId} finishes it\n`);
  const bar =
    process.stderr.isTTY && !options.json
      ? new SingleBar({ format: `${name} {bar} {value}/{total} sagas`, stream: process.stderr }, Presets.shades_classic)
      : undefined;
  bar?.start(targets.length, 0);
  const tally = new Map<Outcome, number>();
  for (const { saga } of targets) {
    const answer = await client.post(`/sagas/${saga.orderId}/${name}`, body, {
      'idempotency-key': `${runId}:${saga.orderId}`,
    });
    const outcome = outcomeOf(answer);
    tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    if (bar) bar.increment();
    else print([lineOf(saga.orderId, outcome, answer, options.json)]);
  }
  bar?.stop();
  const counts = [...tally].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  const summary = `${name}, run ${runId}: ${targets.length} sagas; ${counts}`;
  // JSON lines stay one kind of line: the summary goes beside the run id, on stderr.
  if (options.json) process.stderr.write(`${summary}\n`);
  else print([summary]);
  if (tally.has('failed')) process.exitCode = 1;
}

function outcomeOf({ status, body }: Answer): Outcome {
  if (status === 202) return body.replayed ? 'done before' : body.ignored ? 'unchanged' : 'acted';
  if (status === 409) return 'ended meanwhile';
  if (status === 404) return 'gone';
  return 'failed';
}

/** One saga's line as it is acted on: its id, what became of it, and the saga's status or the error. */
function lineOf(orderId: string, outcome: Outcome, answer: Answer, json?: boolean): string {
  const detail = answer.status === 202 ? (answer.body.ignored as string | undefined) : describeAnswer(answer);
  const status = answer.status === 202 ? (answer.body.status as string) : undefined;
  if (json) return JSON.stringify({ orderId, outcome, status: status ?? null, detail: detail ?? null });
  return [orderId, outcome, status, detail].filter(Boolean).join('  ');
}
