import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceName } from '../../contracts';
import type { DeadLetter } from '../broker';

/** A message for one queue, as it is written. */
export interface NewMessage {
  queue: ServiceName;
  routingKey: string;
  payload: string;
  attempt: number;
  /** Epoch ms before which a pending retry is not delivered; 0 for a message that is due. */
  dueAt: number;
  retryReason?: string;
}

/** A stored message of one queue. */
export interface StoredMessage extends Omit<NewMessage, 'retryReason'> {
  seq: number;
  redelivered: boolean;
}

/**
 * One row per message and queue, from its publish to its ack: the durable copy of what the
 * broker holds in memory. Which consumer holds a message is not stored, so a delivery costs
 * no write; after a crash every row left is delivered again. `due_at` (epoch ms) holds a
 * pending retry back until its delay has passed.
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
    retry_reason TEXT
  );
  DROP INDEX IF EXISTS messages_by_queue;
  CREATE INDEX IF NOT EXISTS messages_of_queue ON messages (queue, seq);
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
  CREATE INDEX IF NOT EXISTS dead_letters_of_queue ON dead_letters (queue, seq);
`;

interface MessageRow {
  seq: number;
  queue: ServiceName;
  routing_key: string;
  payload: string;
  attempt: number;
  redelivered: number;
  due_at: number;
}

const toMessage = (row: MessageRow, redelivered = row.redelivered === 1): StoredMessage => ({
  seq: row.seq,
  queue: row.queue,
  routingKey: row.routing_key,
  payload: row.payload,
  attempt: row.attempt,
  redelivered,
  dueAt: row.due_at,
});

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
 * transaction, so a process killed at any instant loses nothing. One process consumes a file's
 * queues; others (the dlq CLI) may open it to read and replay dead letters.
 */
export class MessageStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** The last message written before this store opened: any still here may have been delivered. */
  private readonly lastBeforeOpen: number;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    // WAL lets the dlq CLI read and write beside the running app; NORMAL sync survives a process crash.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.lastBeforeOpen = (this.sql('SELECT MAX(seq) AS seq FROM messages').get() as { seq: number | null }).seq ?? 0;
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

  /** Writes the messages, all in one transaction; each one's seq, in order. */
  store(messages: readonly NewMessage[]): number[] {
    const insert = this.sql(
      'INSERT INTO messages (queue, routing_key, payload, attempt, due_at, retry_reason) VALUES (?, ?, ?, ?, ?, ?)',
    );
    return this.db.transaction(() =>
      messages.map(({ queue, routingKey, payload, attempt, dueAt, retryReason }) =>
        Number(insert.run(queue, routingKey, payload, attempt, dueAt, retryReason ?? null).lastInsertRowid),
      ),
    )();
  }

  /**
   * Every message of `queue`, oldest first. Those stored before this store opened are flagged
   * redelivered: a process that died may have handed them out.
   */
  queued(queue: ServiceName): StoredMessage[] {
    const rows = this.sql('SELECT * FROM messages WHERE queue = ? ORDER BY seq').all(queue) as MessageRow[];
    return rows.map((row) => toMessage(row, row.redelivered === 1 || row.seq <= this.lastBeforeOpen));
  }

  /** The messages stored after `seq`, oldest first: how writes by another process are found. */
  storedAfter(seq: number): StoredMessage[] {
    return (this.sql('SELECT * FROM messages WHERE seq > ? ORDER BY seq').all(seq) as MessageRow[]).map((row) =>
      toMessage(row),
    );
  }

  /** Removes the acked messages, all in one transaction. */
  ack(seqs: readonly number[]): void {
    const remove = this.sql('DELETE FROM messages WHERE seq = ?');
    this.db.transaction(() => {
      for (const seq of seqs) remove.run(seq);
    })();
  }

  /** The message keeps its seq, and so its place in the queue: a retry that falls due is not starved by newer messages. */
  retry(seq: number, attempt: number, dueAt: number, reason: string): void {
    this.sql('UPDATE messages SET redelivered = 0, attempt = ?, due_at = ?, retry_reason = ? WHERE seq = ?').run(
      attempt,
      dueAt,
      reason,
      seq,
    );
  }

  /** Moves a message to the dead letters of its queue, and out of the messages if it was stored there. */
  deadLetter(message: Omit<NewMessage, 'dueAt'> & { seq: number | undefined }, reason: string, at: Date): void {
    this.db.transaction(() => {
      this.sql(
        `INSERT INTO dead_letters (id, queue, routing_key, payload, reason, attempts, dead_lettered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        randomUUID(),
        message.queue,
        message.routingKey,
        message.payload,
        reason,
        message.attempt,
        at.toISOString(),
      );
      if (message.seq !== undefined) this.sql('DELETE FROM messages WHERE seq = ?').run(message.seq);
    })();
  }

  deadLetters(queue: ServiceName): DeadLetter[] {
    const rows = this.sql('SELECT * FROM dead_letters WHERE queue = ? ORDER BY seq').all(queue) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  countDeadLetters(queue: ServiceName): number {
    return (this.sql('SELECT COUNT(*) AS n FROM dead_letters WHERE queue = ?').get(queue) as { n: number }).n;
  }

  /**
   * Moves the dead letters with these ids back to their queues as fresh messages, in one
   * transaction; the letters and the messages they became.
   */
  replay(ids: readonly string[]): { letter: DeadLetter; message: StoredMessage }[] {
    const find = this.sql('SELECT * FROM dead_letters WHERE id = ?');
    const remove = this.sql('DELETE FROM dead_letters WHERE id = ?');
    return this.db.transaction(() =>
      ids.flatMap((id) => {
        const row = find.get(id) as DeadLetterRow | undefined;
        if (!row) return [];
        const message = { queue: row.queue, routingKey: row.routing_key, payload: row.payload, attempt: 1, dueAt: 0 };
        const [seq] = this.store([message]);
        remove.run(id);
        return [{ letter: toDeadLetter(row), message: { ...message, seq: seq!, redelivered: false } }];
      }),
    )();
  }

  purge(queue: ServiceName): number {
    return this.sql('DELETE FROM dead_letters WHERE queue = ?').run(queue).changes;
  }
}
