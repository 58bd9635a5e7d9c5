import type { SqliteDb } from './sqlite';

interface Waiting {
  work: (tx: SqliteDb) => unknown;
  done: (error: unknown, result?: unknown) => void;
}

/**
 * A database's writes, applied in groups: everything submitted before the next turn of the
 * event loop (deliveries being handled, orders being placed) is applied inside one immediate
 * transaction and committed together. A commit costs
 * more than the work it commits, so under load the cost per write falls as writes queue up,
 * and a lone one waits only a tick. When any work in a group throws, or the commit fails, the
 * group is rolled back and applied again one work per transaction, so a poison one fails
 * alone. Trying the whole group first spares every work the two statements of a savepoint of
 * its own, for failures that are rare.
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly db: SqliteDb) {}

  /**
   * Resolves once `work` is committed, to what it returned (in the application that was
   * committed); rejects with what its own application threw, or its commit's failure.
   */
  submit<R>(work: (tx: SqliteDb) => R): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        work,
        done: (error, result) => (error === undefined ? resolve(result as R) : reject(error)),
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  private commit(): void {
    this.scheduled = false;
    const group = this.waiting;
    this.waiting = [];
    const tried = this.tryCommitting(group);
    if ('results' in tried) group.forEach((waiting, i) => waiting.done(undefined, tried.results[i]));
    else if (group.length === 1) group[0]!.done(tried.failure);
    else
      for (const waiting of group) {
        const alone = this.tryCommitting([waiting]);
        waiting.done('failure' in alone ? alone.failure : undefined, 'results' in alone ? alone.results[0] : undefined);
      }
  }

  /** Applies and commits the works in one transaction: what each returned, or what was thrown. */
  private tryCommitting(works: readonly Waiting[]): { results: unknown[] } | { failure: unknown } {
    try {
      const results = this.db.transaction((tx) => works.map(({ work }) => work(tx)), { behavior: 'immediate' });
      return { results };
    } catch (error) {
      return { failure: error ?? new Error('commit failed') };
    }
  }
}
