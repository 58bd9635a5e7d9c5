import { asc, lte } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { describeProblems, Message } from '../../contracts';
import type { Logger } from '../../lib/logger';
import { param, preparedQueries, rowParams, type SqliteDb } from '../../db/sqlite';
import type { Broker } from '../broker';

/** Messages committed with a state change, waiting to be published. */
export const outbox = sqliteTable('outbox', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  messageId: text('message_id').notNull().unique(),
  type: text('type').notNull(),
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
});

/**
 * A message its producer was about to send breaks the contract: a bug at the producer. Thrown
 * inside the producer's transaction, so the state change is rolled back with it and the message
 * that caused it is retried, then dead-lettered here with this reason, where it can be fixed.
 */
export class ContractViolation extends Error {
  constructor(message: Message, problems: string) {
    super(`${message.producer} tried to send a ${message.type} that breaks its contract: ${problems}`);
    this.name = 'ContractViolation';
  }
}

/**
 * Adds messages to the outbox; call inside the transaction that makes the state change. Each is
 * checked against its contract first, so no consumer is ever handed a message its producer made wrong.
 */
export function enqueue(tx: SqliteDb, messages: readonly Message[]): void {
  if (messages.length === 0) return;
  for (const message of messages) {
    const checked = Message.safeParse(message);
    if (!checked.success) throw new ContractViolation(message, describeProblems(checked.error));
  }
  const { insert } = queries(tx);
  for (const message of messages) {
    insert.run({
      messageId: message.messageId,
      type: message.type,
      payload: JSON.stringify(message),
      createdAt: message.occurredAt,
    });
  }
}

const queries = preparedQueries((db) => ({
  insert: db.insert(outbox).values(rowParams(outbox, 'seq')).prepare(),
  oldest: db.select().from(outbox).orderBy(asc(outbox.seq)).limit(param('limit')).prepare(),
  // Rows commit in seq order (one writer at a time), so those up to the last one read are exactly those read.
  deleteUpTo: db
    .delete(outbox)
    .where(lte(outbox.seq, param('seq')))
    .prepare(),
}));

export interface RelayOptions {
  /** The safety net: how often to look even when nobody called `wake()`. */
  pollMs?: number;
  /** After a failed publish the relay tries again this soon, doubling up to `pollMs`. */
  firstRetryMs?: number;
  batchSize?: number;
}

/**
 * Publishes committed outbox rows in commit order and deletes them once the broker has
 * confirmed. Writers call `wake()` so a message leaves within milliseconds; a crash between
 * commit and publish only delays it until the next start.
 */
export class OutboxRelay {
  private draining = false;
  private wakeAgain = false;
  private stopped = false;
  /** Failed drains in a row: a broker blip is retried within milliseconds, an outage less and less often. */
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: SqliteDb,
    private readonly broker: Broker,
    private readonly logger: Logger,
    private readonly options: RelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Schedules a drain on a later tick, so rows are read only after the caller's transaction commits. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.idle = this.drain()), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      do {
        this.wakeAgain = false;
        while (!this.stopped && (await this.publishBatch()) > 0);
      } while (this.wakeAgain && !this.stopped);
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.logger.warn({ err: error, failures: this.failures }, 'outbox relay could not publish; will retry');
    } finally {
      this.draining = false;
      if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.nextLookInMs());
    }
  }

  private nextLookInMs(): number {
    const { pollMs = 1000, firstRetryMs = 20 } = this.options;
    return this.failures === 0 ? pollMs : Math.min(pollMs, firstRetryMs * 2 ** (this.failures - 1));
  }

  private async publishBatch(): Promise<number> {
    const { oldest, deleteUpTo } = queries(this.db);
    const rows = oldest.all({ limit: this.options.batchSize ?? 200 });
    if (rows.length === 0) return 0;
    await Promise.all(rows.map((row) => this.broker.publish(row.type, row.payload)));
    deleteUpTo.run({ seq: rows.at(-1)!.seq });
    return rows.length;
  }
}
