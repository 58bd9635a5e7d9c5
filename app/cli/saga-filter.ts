import { Command, InvalidArgumentError, Option } from 'commander';
import { CancelReason } from '../../contracts';
import { parseDuration } from '../../saga/trace/stuck';
import type { SagaSearch } from '../../saga/trace/trace-source';

const DEFAULT_QUIET = '30s';

/**
 * Which sagas a command is about, as its options give them: the server's search, the customer as
 * an id or an e-mail, and two the CLI decides itself (`--older-than`, `--stuck`: see searchOf).
 */
export interface FilterOptions extends SagaSearch {
  olderThan?: number;
  stuck?: true | number;
}

export const duration = (text: string) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError(`"${text}" is not a duration such as 90s, 10m or 1h`);
  return Math.round(ms);
};
export const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const cents = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of cents');
  return n;
};
/** An ISO time, or a duration meaning that long ago (`2h`). */
const time = (text: string) => {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(Date.now() - ago).toISOString();
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new InvalidArgumentError(`"${text}" is neither a time (2026-12-06T14:00Z) nor a duration ago (2h)`);
  return new Date(at).toISOString();
};

/**
 * The filter options of `sagas`, `trace --list` and the bulk `saga` actions. `reasonFlag`: the
 * bulk actions keep `--reason` for the operator's why, so they take the cancel reason as
 * `--with-reason`.
 */
export const filterOptions = (command: Command, reasonFlag = '--reason') =>
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
    .option('--step <name>', 'only sagas awaiting this step (verifyUser, reserveStock, settlePayment, …)')
    .addOption(
      new Option(`${reasonFlag} <code>`, 'only sagas cancelled or compensating for this reason').choices(
        CancelReason.options,
      ),
    )
    .option('--customer <id-or-email>', "only this customer's sagas (an e-mail is looked up in the users service)")
    .option('--product <id>', 'only sagas of orders with this product')
    .option('--created-from <time>', 'only sagas started at or after this time (or this long ago: 2h)', time)
    .option('--created-to <time>', 'only sagas started before this time (or this long ago)', time)
    .option('--ended-from <time>', 'only sagas ended at or after this time (or this long ago)', time)
    .option('--ended-to <time>', 'only sagas ended before this time (or this long ago)', time)
    .option('--total-min <cents>', 'only orders of at least this total', cents)
    .option('--total-max <cents>', 'only orders of at most this total', cents);

/**
 * The filters whose option lands under their own name: all but the cancel reason. A record, so that
 * a filter added to the search and not here fails the typecheck.
 */
const sameName: Record<Exclude<keyof FilterOptions, 'reason'>, true> = {
  status: true,
  olderThan: true,
  stuck: true,
  step: true,
  customer: true,
  product: true,
  createdFrom: true,
  createdTo: true,
  endedFrom: true,
  endedTo: true,
  totalMin: true,
  totalMax: true,
};

/** The filter among a command's options (`reasonKey`: where the cancel reason's option landed). */
export function filterFrom(options: object, reasonKey = 'reason'): FilterOptions {
  const given = options as Record<string, unknown>;
  const filter: Record<string, unknown> = {};
  for (const key of Object.keys(sameName)) if (given[key] !== undefined) filter[key] = given[key];
  if (given[reasonKey] !== undefined) filter.reason = given[reasonKey];
  return filter as FilterOptions;
}

/** How long without news makes a saga look stuck; undefined when `--stuck` is not asked. */
export const quietOf = ({ stuck }: FilterOptions) =>
  stuck === undefined ? undefined : stuck === true ? parseDuration(DEFAULT_QUIET)! : stuck;

/**
 * The server's search for `options`, the customer given as an id (`customerId`, when it was an
 * e-mail). `--older-than` is a start before now less it; `--stuck` asks for sagas not ended and
 * is decided by the caller, saga by saga.
 */
export function searchOf(options: FilterOptions, now: Date, customerId = options.customer): SagaSearch {
  const olderThan = options.olderThan === undefined ? undefined : new Date(now.getTime() - options.olderThan);
  const createdTo = [options.createdTo, olderThan?.toISOString()].filter((at) => at !== undefined).sort()[0];
  const search: SagaSearch = {
    status: options.stuck === undefined ? options.status : 'PENDING',
    step: options.step,
    reason: options.reason,
    customer: customerId,
    product: options.product,
    createdFrom: options.createdFrom,
    createdTo,
    endedFrom: options.endedFrom,
    endedTo: options.endedTo,
    totalMin: options.totalMin,
    totalMax: options.totalMax,
  };
  return Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined)) as SagaSearch;
}
