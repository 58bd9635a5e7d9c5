import type { SqliteDb } from '../../db/sqlite';

interface Waiting<T> {
  item: T;
  done: (error?: unknown) => void;
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
export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: SqliteDb,
    private readonly apply: (tx: SqliteDb, item: T) => void,
  ) {}

  /** Resolves once `item` is committed; rejects with what its own application threw, or its commit's failure. */
  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
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
    const failure = this.tryCommitting(group);
    if (failure === undefined) for (const waiting of group) waiting.done();
    else if (group.length === 1) group[0]!.done(failure);
    else for (const waiting of group) waiting.done(this.tryCommitting([waiting]));
  }

  /** Applies and commits the items in one transaction; what was thrown when that failed. */
  private tryCommitting(items: readonly Waiting<T>[]): unknown {
    try {
      this.db.transaction(
        (tx) => {
          for (const { item } of items) this.apply(tx, item);
        },
        { behavior: 'immediate' },
      );
      return undefined;
    } catch (error) {
      return error ?? new Error('commit failed');
    }
  }
}
