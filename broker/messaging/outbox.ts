import { describeProblems, Message } from '../../contracts';
import type { Database } from '../../db/database';
import type { Logger } from '../../lib/logger';
import type { Broker } from '../broker';
import type { MessagingStore } from './store';

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
export async function enqueue(store: MessagingStore, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  for (const message of messages) {
    const checked = Message.safeParse(message);
    if (!checked.success) throw new ContractViolation(message, describeProblems(checked.error));
  }
  await store.addToOutbox(
    messages.map((message) => ({
      messageId: message.messageId,
      type: message.type,
      payload: JSON.stringify(message),
      createdAt: message.occurredAt,
    })),
  );
}

export interface RelayOptions {
  /** The safety net: how often to look even when nobody called `wake()`. */
  pollMs?: number;
  /** After a failed publish the relay tries again this soon, doubling up to `pollMs`. */
  firstRetryMs?: number;
  /**
   * Messages published and not yet confirmed, at most. RabbitMQ confirms a persistent message
   * once it is on disk, and writes to disk in batches, so confirms come back at the rate the
   * relay keeps them coming: it publishes on while earlier confirms are outstanding.
   */
  window?: number;
}

/**
 * Publishes committed outbox rows in commit order, keeping up to `window` of them unconfirmed,
 * and deletes each once the broker has confirmed it (the deletes of a turn together). Writers call `wake()` so a message leaves within milliseconds; a crash between
 * commit and confirm only delays it until the next start, which publishes every row left.
 */
export class OutboxRelay {
  private readonly unconfirmed = new Set<number>();
  private confirmed: number[] = [];
  private slotFreed: (() => void) | undefined;
  private draining = false;
  private wakeAgain = false;
  private stopped = false;
  /** Set from a failed publish until its retry is due: writers' wakes must not hammer a broker that is down. */
  private backingOff = false;
  /** Failures since the last confirm: a broker blip is retried within milliseconds, an outage less and less often. */
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: Database<MessagingStore>,
    private readonly broker: Broker,
    private readonly logger: Logger,
    private readonly options: RelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Schedules a drain on a later tick: call it once the rows to publish are committed. */
  wake(): void {
    if (this.stopped || this.backingOff) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.idle = this.drain()), 0);
  }

  /** Stops publishing, waits for the confirms outstanding and deletes the rows they confirm. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle;
    while (this.unconfirmed.size > 0) await this.slotFree();
    await this.deleteConfirmed();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      do {
        this.wakeAgain = false;
        await this.publishPending();
      } while (this.wakeAgain && !this.stopped && !this.backingOff);
    } catch (error) {
      // The database did not answer the claim: tried again as after a failed publish.
      this.backOff(error);
    } finally {
      this.draining = false;
      if (!this.stopped && !this.backingOff) this.timer = setTimeout(() => this.wake(), this.options.pollMs ?? 1000);
    }
  }

  /** Publishes every row the store hands out, waiting for a confirm whenever the window is full. */
  private async publishPending(): Promise<void> {
    const window = this.options.window ?? 256;
    while (!this.stopped && !this.backingOff) {
      const room = window - this.unconfirmed.size;
      if (room === 0) {
        await this.slotFree();
        continue;
      }
      const rows = await this.database.read((store) => store.claimOutbox(room));
      for (const { seq, type, payload } of rows) {
        this.unconfirmed.add(seq);
        this.broker.publish(type, payload).then(
          () => this.settled(seq),
          (error: unknown) => this.settled(seq, error ?? new Error('publish failed')),
        );
      }
      // Fewer than asked: none was left. Rows committed since wake the relay again.
      if (rows.length < room) return;
    }
  }

  private slotFree(): Promise<void> {
    return new Promise((resolve) => (this.slotFreed = resolve));
  }

  private settled(seq: number, error?: unknown): void {
    this.unconfirmed.delete(seq);
    if (error === undefined) {
      this.failures = 0;
      this.confirmed.push(seq);
      if (this.confirmed.length === 1) setImmediate(() => void this.deleteConfirmed());
    } else {
      this.release(seq);
      this.backOff(error);
    }
    this.slotFreed?.();
    this.slotFreed = undefined;
  }

  private backOff(error: unknown): void {
    if (this.backingOff || this.stopped) return;
    this.backingOff = true;
    this.failures++;
    this.logger.warn({ err: error, failures: this.failures }, 'outbox relay could not publish or claim; will retry');
    const { pollMs = 1000, firstRetryMs = 20 } = this.options;
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.backingOff = false;
        this.wake();
      },
      Math.min(pollMs, firstRetryMs * 2 ** (this.failures - 1)),
    );
  }

  /** Hands a row whose publish failed out again; a lost release only delays it (its claim lapses). */
  private release(seq: number): void {
    this.database
      .read((store) => store.releaseOutbox([seq]))
      .catch((error: unknown) => this.logger.warn({ err: error, seq }, 'outbox relay could not release a row'));
  }

  private async deleteConfirmed(): Promise<void> {
    const seqs = this.confirmed;
    this.confirmed = [];
    if (seqs.length === 0) return;
    try {
      await this.database.writeEach((store) => store.removeFromOutbox(seqs));
    } catch (error) {
      // The rows stay, and go again at the next start: a consumer's inbox drops the copy.
      this.logger.error({ err: error, rows: seqs.length }, 'outbox relay could not delete published rows');
    }
  }
}
