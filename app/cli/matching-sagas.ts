import type { SagaView } from '../../saga/runtime/store';
import { whyStuck } from '../../saga/trace/stuck';
import { TraceError, type SagaSearch, type TraceSource } from '../../saga/trace/trace-source';
import { quietOf, searchOf, type FilterOptions } from './saga-filter';

/** A saga a filter matched; `stuck` says why it looks stuck when `--stuck` asked. */
export interface Match {
  saga: SagaView;
  stuck?: string;
}

/** The server's search for `options`: a customer given by e-mail is looked up first. */
export async function searchFor(source: TraceSource, options: FilterOptions, now: Date): Promise<SagaSearch> {
  const { customer } = options;
  if (customer === undefined || !customer.includes('@')) return searchOf(options, now);
  const id = await source.userByEmail(customer);
  if (id === undefined) throw new TraceError(`no user has the e-mail ${customer}`);
  return searchOf(options, now, id);
}

/**
 * Every saga `search` matches from `cursor` on, newest first, page by page from the server;
 * `--stuck` (a judgement at `now`, not a stored field) is decided here, saga by saga.
 */
export async function* matchingSagas(
  source: TraceSource,
  search: SagaSearch,
  options: FilterOptions,
  now: Date,
  cursor?: string,
): AsyncGenerator<Match> {
  const quietMs = quietOf(options);
  let after = cursor;
  do {
    const page = await source.search(search, { limit: 100, ...(after && { cursor: after }) });
    for (const saga of page.items) {
      if (quietMs === undefined) {
        yield { saga };
        continue;
      }
      const stuck = whyStuck(saga, now, quietMs);
      if (stuck) yield { saga, stuck };
    }
    after = page.nextCursor ?? undefined;
  } while (after);
}
