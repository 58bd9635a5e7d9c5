import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceName } from '../../contracts';
import type { DeadLetter } from '../broker';

/** A queued message as a consumer claims it. */
export interface StoredMessage {
  seq: number;
  routingKey: string;
  payload: string;
  attempt: number;
  redelivered: boolean;
}

/**
 * `consumer` is the broker instance holding a message unacked (NULL when it is ready), so
 * what a crashed process held can be told apart and handed out again. `due_at` (epoch ms)
 * holds a pending retry back until its delay has passed.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    redelivered INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL DEFAULT 0,
    consumer TEXT,
    retry_reason TEXT
  );
  CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue, consumer, seq);
  CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    queue TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    dead_lettered_at TEXT NOT NULL
  );
`;

interface DeadLetterRow {
  id: string;
  queue: ServiceName;
  routing_key: string;
  payload: string;
  reason: string;
  attempts: number;
  dead_lettered_at: string;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  queue: row.queue,
  routingKey: row.routing_key,
  payload: row.payload,
  reason: row.reason,
  attempts: row.attempts,
  deadLetteredAt: row.dead_lettered_at,
});

/**
 * The in-process broker's messages in SQLite. Every change is one committed statement or
 * transaction, so a process killed at any instant loses nothing; several processes (the app
 * and the dlq CLI) may open the same file.
 */
export class MessageStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    // WAL lets the dlq CLI read and write beside the running app; NORMAL sync survives a process crash.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** Prepares each statement once: they run on every delivery. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Stores each message once for each of its queues, all in one transaction. */
  publish(messages: readonly { queues: readonly ServiceName[]; routingKey: string; payload: string }[]): void {
    const insert = this.sql('INSERT INTO messages (queue, routing_key, payload) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const { queues, routingKey, payload } of messages) {
        for (const queue of queues) insert.run(queue, routingKey, payload);
      }
    })();
  }

  /** Hands the oldest due messages of `queue`, up to `limit`, to `consumer`. */
  claim(queue: ServiceName, consumer: string, now: number, limit: number): StoredMessage[] {
    const rows = this.sql(
      `UPDATE messages SET consumer = @consumer
         WHERE seq IN (SELECT seq FROM messages WHERE queue = @queue AND consumer IS NULL AND due_at <= @now
                       ORDER BY seq LIMIT @limit)
         RETURNING seq, routing_key, payload, attempt, redelivered`,
    ).all({ queue, consumer, now, limit }) as Array<{
      seq: number;
      routing_key: string;
      payload: string;
      attempt: number;
      redelivered: number;
    }>;
    // RETURNING has no defined order.
    return rows
      .sort((a, b) => a.seq - b.seq)
      .map((row) => ({
        seq: row.seq,
        routingKey: row.routing_key,
        payload: row.payload,
        attempt: row.attempt,
        redelivered: row.redelivered === 1,
      }));
  }

  /** When the next pending retry of `queue` falls due, if any. */
  nextDue(queue: ServiceName, now: number): number | undefined {
    const row = this.sql(
      'SELECT MIN(due_at) AS due FROM messages WHERE queue = ? AND consumer IS NULL AND due_at > ?',
    ).get(queue, now) as { due: number | null };
    return row.due ?? undefined;
  }

  /**
   * Makes the messages of `queue` held by any other consumer ready again, flagged redelivered:
   * one process consumes a file's queues, so another holder is a process that died.
   */
  reclaim(queue: ServiceName, consumer: string): void {
    this.sql(
      'UPDATE messages SET consumer = NULL, redelivered = 1 WHERE queue = ? AND consumer IS NOT NULL AND consumer <> ?',
    ).run(queue, consumer);
  }

  /** Makes everything `consumer` holds ready again, flagged redelivered (on close). */
  release(consumer: string): void {
    this.sql('UPDATE messages SET consumer = NULL, redelivered = 1 WHERE consumer = ?').run(consumer);
  }

  // Every settlement names its consumer: one whose message was reclaimed meanwhile settles nothing.

  /** Removes the acked messages, all in one transaction. */
  ack(seqs: readonly number[], consumer: string): void {
    const remove = this.sql('DELETE FROM messages WHERE seq = ? AND consumer = ?');
    this.db.transaction(() => {
      for (const seq of seqs) remove.run(seq, consumer);
    })();
  }

  requeue(seq: number, consumer: string): void {
    this.sql('UPDATE messages SET consumer = NULL, redelivered = 1 WHERE seq = ? AND consumer = ?').run(seq, consumer);
  }

  /** The message keeps its place in the queue, so a retry that falls due is not starved by newer messages. */
  retry(seq: number, consumer: string, dueAt: number, reason: string): void {
    this.sql(
      `UPDATE messages SET consumer = NULL, redelivered = 0, attempt = attempt + 1, due_at = ?, retry_reason = ?
         WHERE seq = ? AND consumer = ?`,
    ).run(dueAt, reason, seq, consumer);
  }

  deadLetter(seq: number, consumer: string, reason: string, at: Date): void {
    this.db.transaction(() => {
      const moved = this.sql(
        `INSERT INTO dead_letters (id, queue, routing_key, payload, reason, attempts, dead_lettered_at)
           SELECT ?, queue, routing_key, payload, ?, attempt, ? FROM messages WHERE seq = ? AND consumer = ?`,
      ).run(randomUUID(), reason, at.toISOString(), seq, consumer);
      if (moved.changes > 0) this.sql('DELETE FROM messages WHERE seq = ?').run(seq);
    })();
  }

  deadLetters(queue: ServiceName): DeadLetter[] {
    const rows = this.sql('SELECT * FROM dead_letters WHERE queue = ? ORDER BY seq').all(queue) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  /** Moves the dead letters with these ids back to their queues as fresh messages, in one transaction. */
  replay(ids: readonly string[]): DeadLetter[] {
    const find = this.sql('SELECT * FROM dead_letters WHERE id = ?');
    const requeue = this.sql('INSERT INTO messages (queue, routing_key, payload) VALUES (?, ?, ?)');
    const remove = this.sql('DELETE FROM dead_letters WHERE id = ?');
    return this.db.transaction(() =>
      ids.flatMap((id) => {
        const row = find.get(id) as DeadLetterRow | undefined;
        if (!row) return [];
        requeue.run(row.queue, row.routing_key, row.payload);
        remove.run(id);
        return [toDeadLetter(row)];
      }),
    )();
  }

  purge(queue: ServiceName): number {
    return this.sql('DELETE FROM dead_letters WHERE queue = ?').run(queue).changes;
  }
}
