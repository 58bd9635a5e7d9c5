import type Database from 'better-sqlite3';

interface Waiting<S> {
  work: (store: S) => Promise<unknown>;
  done: (error: unknown, result?: unknown) => void;
}

/**
 * A SQLite database's transactions, applied in groups: everything submitted before the next
 * turn of the event loop (deliveries being handled, orders being placed) is applied inside one
 * immediate transaction and committed together. A commit costs more than the work it commits,
 * so under load the cost per write falls as writes queue up, and a lone one waits only a tick.
 * When any work in a group throws, or the commit fails, the group is rolled back and applied
 * again one work per transaction, so a poison one fails alone. Trying the whole group first
 * spares every work the two statements of a savepoint of its own, for failures that are rare.
 *
 * The works run one after the other, each to its end, and the store answers synchronously, so
 * a group runs within one turn: nothing else on the connection (a route's read) runs while
 * its transaction is open.
 */
export class GroupCommit<S> {
  private waiting: Waiting<S>[] = [];
  private scheduled = false;
  private readonly begin: Database.Statement;
  private readonly commitStatement: Database.Statement;
  private readonly rollback: Database.Statement;

  constructor(
    private readonly client: Database.Database,
    private readonly store: S,
    /** Called after each commit. */
    private readonly committed: (store: S) => void = () => {},
  ) {
    this.begin = client.prepare('BEGIN IMMEDIATE');
    this.commitStatement = client.prepare('COMMIT');
    this.rollback = client.prepare('ROLLBACK');
  }

  /**
   * Resolves once `work` is committed, to what it returned (in the application that was
   * committed); rejects with what its own application threw, or its commit's failure.
   */
  submit<R>(work: (store: S) => Promise<R>): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        work,
        done: (error, result) => (error === undefined ? resolve(result as R) : reject(error)),
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.commit());
      }
    });
  }

  /** Throws when a transaction is open: a work awaited something besides its store, and a read would see it half done. */
  assertOutsideTransaction(): void {
    if (this.client.inTransaction) throw new Error('a transaction awaited something besides its store');
  }

  private async commit(): Promise<void> {
    this.scheduled = false;
    const group = this.waiting;
    this.waiting = [];
    const tried = await this.tryCommitting(group);
    if ('results' in tried) group.forEach((waiting, i) => waiting.done(undefined, tried.results[i]));
    else if (group.length === 1) group[0]!.done(tried.failure);
    else
      for (const waiting of group) {
        const alone = await this.tryCommitting([waiting]);
        waiting.done('failure' in alone ? alone.failure : undefined, 'results' in alone ? alone.results[0] : undefined);
      }
  }

  /** Applies and commits the works in one transaction: what each returned, or what was thrown. */
  private async tryCommitting(works: readonly Waiting<S>[]): Promise<{ results: unknown[] } | { failure: unknown }> {
    let began = false;
    try {
      this.assertOutsideTransaction();
      this.begin.run();
      began = true;
      const results: unknown[] = [];
      for (const { work } of works) results.push(await work(this.store));
      this.commitStatement.run();
      this.committed(this.store);
      return { results };
    } catch (error) {
      // Only this group's own transaction: one found open belongs to a work still awaiting.
      if (began && this.client.inTransaction) this.rollback.run();
      return { failure: error ?? new Error('commit failed') };
    }
  }
}
