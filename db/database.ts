/**
 * A service's database, whichever store keeps it (SQLite or PostgreSQL): everything the
 * service reads and writes goes through its store `S`, an interface each store implements
 * with statements prepared when the store is built.
 */
export interface Database<S> {
  /**
   * Runs `work` in one transaction and resolves, once it is committed, to what it returned;
   * what it throws undoes its writes, and only its own (SQLite may share the transaction with
   * others: the group commit), and rejects with it. The work may be run more than once (a group
   * applied again after a work in it threw or its commit failed, a serialization conflict
   * retried), so it must only read and write through `store`, and await nothing else: what it
   * does outside the store happens after the promise resolves.
   */
  transaction<R>(work: (store: S) => Promise<R>): Promise<R>;
  /**
   * Runs writes that need not commit together (the relay's removal of published rows) as
   * cheaply as the database can: on SQLite inside the group commit, on PostgreSQL each
   * statement committing on its own, with no BEGIN and COMMIT around it.
   */
  writeEach<R>(work: (store: S) => Promise<R>): Promise<R>;
  /**
   * Calls `listener` after every commit, with the store the transaction ran on: what was
   * written is visible to every other connection from then on (the outbox relay waits for it).
   */
  onCommit(listener: (store: S) => void): void;
  /**
   * Runs `work` outside any transaction: each statement sees what was committed when it runs,
   * and one that writes (an outbox claim) commits on its own.
   */
  read<R>(work: (store: S) => Promise<R>): Promise<R>;
  /**
   * Runs plain SQL, the same on either database, in one consistent read: for operators' reads
   * (the audit), which look at several tables as they were at one moment.
   */
  snapshot<R>(work: (query: PlainQuery) => Promise<R>): Promise<R>;
  /** Whether the database answers; the error it gave when not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Runs one SELECT written in SQL both databases read alike; the rows as objects keyed by column. */
export type PlainQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * The database did not answer (refused, lost, gone away): the work did not happen, through no
 * fault of what it was given, and can run again once the database is back.
 */
export class DatabaseUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailable';
  }
}
