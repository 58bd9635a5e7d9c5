import type Database from 'better-sqlite3';

/** How one work of a group ended: what it returned, or what it threw. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How applying a group in one transaction went. */
type Attempt =
  | { kind: 'committed'; outcomes: Outcome[] }
  /** A work threw, and the transaction went back with it: its neighbours' writes too. */
  | { kind: 'threw'; error: unknown }
  /** The transaction failed as a whole: its commit, or SQLite rolling it back (a full disk). */
  | { kind: 'failed'; error: unknown };

interface Waiting<S> {
  work: (store: S) => Promise<unknown>;
  done: (outcome: Outcome) => void;
}

/**
 * A SQLite database's transactions, applied in groups: everything submitted before the next
 * turn of the event loop (deliveries being handled, orders being placed) is applied inside one
 * immediate transaction and committed together. A commit costs more than the work it commits,
 * so under load the cost per write falls as writes queue up, and a lone one waits only a tick.
 *
 * A work that throws fails alone, as in a transaction of its own, so that it may throw a
 * refusal: the group is rolled back and applied again with each work in a savepoint, which
 * takes back the thrower's writes alone, and its caller gets what it threw while its
 * neighbours commit. Trying the whole group first spares every work the savepoint's
 * statements and the copy of each page it changes, for throws that are rare. Should the
 * transaction fail as a whole (its commit refused, or SQLite rolling it back on a full disk),
 * the group is applied again one work per transaction, so that a poison one fails alone.
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
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackToSavepoint: Database.Statement;

  constructor(
    private readonly client: Database.Database,
    private readonly store: S,
    /** Called after each commit. */
    private readonly committed: (store: S) => void = () => {},
  ) {
    this.begin = client.prepare('BEGIN IMMEDIATE');
    this.commitStatement = client.prepare('COMMIT');
    this.rollback = client.prepare('ROLLBACK');
    this.savepoint = client.prepare('SAVEPOINT work');
    this.release = client.prepare('RELEASE work');
    this.rollbackToSavepoint = client.prepare('ROLLBACK TO work');
  }

  /**
   * Resolves once `work` is committed, to what it returned (in the application that was
   * committed); rejects with what it threw, its writes undone, or with its commit's failure.
   */
  submit<R>(work: (store: S) => Promise<R>): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        work,
        done: (outcome) => (outcome.ok ? resolve(outcome.value as R) : reject(outcome.error)),
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
    let attempt = await this.attempt(group, 'whole');
    if (attempt.kind === 'threw' && group.length > 1) attempt = await this.attempt(group, 'savepoints');
    if (attempt.kind === 'committed') {
      for (const [i, waiting] of group.entries()) waiting.done(attempt.outcomes[i]!);
    } else if (group.length === 1) group[0]!.done({ ok: false, error: attempt.error });
    else
      for (const waiting of group) {
        const alone = await this.attempt([waiting], 'whole');
        waiting.done(alone.kind === 'committed' ? alone.outcomes[0]! : { ok: false, error: alone.error });
      }
  }

  /** Applies the works in one transaction, each in a savepoint or not, and commits them. */
  private async attempt(works: readonly Waiting<S>[], mode: 'whole' | 'savepoints'): Promise<Attempt> {
    let began = false;
    let applying = false;
    try {
      this.assertOutsideTransaction();
      this.begin.run();
      began = true;
      const outcomes: Outcome[] = [];
      applying = true;
      for (const { work } of works)
        outcomes.push(mode === 'whole' ? { ok: true, value: await work(this.store) } : await this.inSavepoint(work));
      applying = false;
      this.commitStatement.run();
      this.committed(this.store);
      return { kind: 'committed', outcomes };
    } catch (error) {
      // Only this group's own transaction: one found open belongs to a work still awaiting.
      if (began && this.client.inTransaction) this.rollback.run();
      // In savepoints, what a work threw is its outcome: what comes here took the transaction.
      return applying && mode === 'whole'
        ? { kind: 'threw', error }
        : { kind: 'failed', error: error ?? new Error('commit failed') };
    }
  }

  /** Runs one work inside the open transaction; what it threw is undone alone, unless it took the transaction with it. */
  private async inSavepoint(work: (store: S) => Promise<unknown>): Promise<Outcome> {
    this.savepoint.run();
    try {
      const value = await work(this.store);
      this.release.run();
      return { ok: true, value };
    } catch (error) {
      if (!this.client.inTransaction) throw error;
      // ROLLBACK TO keeps the savepoint open: the RELEASE ends it.
      this.rollbackToSavepoint.run();
      this.release.run();
      return { ok: false, error };
    }
  }
}
