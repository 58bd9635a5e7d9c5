import type { SqliteDb } from './sqlite';

interface Waiting<T, R> {
  item: T;
  done: (error: unknown, result?: R) => void;
}

/**
 * Applies work in groups: everything submitted before the next turn of the event loop is
 * applied inside one immediate transaction and committed together. A commit costs more than
 * handling a message, so under load the cost per message falls as deliveries queue up, and a
 * lone message waits only a tick. When anything in a group throws, or the commit fails, the
 * group is rolled back and applied again one item per transaction, so a poison item fails
 * alone. Trying the whole group first spares every item the two statements of a savepoint of
 * its own, for failures that are rare.
 */
export class GroupCommit<T, R = void> {
  private waiting: Waiting<T, R>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: SqliteDb,
    private readonly apply: (tx: SqliteDb, item: T) => R,
  ) {}

  /**
   * Resolves once `item` is committed, to what applying it returned (of the application that
   * was committed); rejects with what its own application threw, or its commit's failure.
   */
  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        item,
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

  /** Applies and commits the items in one transaction: what each application returned, or what was thrown. */
  private tryCommitting(items: readonly Waiting<T, R>[]): { results: R[] } | { failure: unknown } {
    try {
      const results = this.db.transaction((tx) => items.map(({ item }) => this.apply(tx, item)), {
        behavior: 'immediate',
      });
      return { results };
    } catch (error) {
      return { failure: error ?? new Error('commit failed') };
    }
  }
}
