import type { SqliteDb } from '../../db/sqlite';

interface Waiting<T> {
  item: T;
  done: (error?: unknown) => void;
}

/**
 * Applies work in groups: everything submitted before the next turn of the event loop is
 * applied inside one immediate transaction, each item in a savepoint of its own, and committed
 * together. An item that throws rolls back only its savepoint and fails alone; the others
 * succeed once the commit does. A commit costs more than handling a message, so under load
 * the cost per message falls as deliveries queue up, and a lone message waits only a tick.
 */
export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: SqliteDb,
    private readonly apply: (tx: SqliteDb, item: T) => void,
  ) {}

  /** Resolves once `item` is committed; rejects with what its own application threw, or the commit's failure. */
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
    const failures = new Map<Waiting<T>, unknown>();
    try {
      this.db.transaction(
        (tx) => {
          for (const waiting of group) {
            try {
              tx.transaction((savepoint) => this.apply(savepoint, waiting.item));
            } catch (error) {
              failures.set(waiting, error ?? new Error('failed'));
            }
          }
        },
        { behavior: 'immediate' },
      );
    } catch (error) {
      for (const waiting of group) waiting.done(error ?? new Error('commit failed'));
      return;
    }
    for (const waiting of group) waiting.done(failures.get(waiting));
  }
}
