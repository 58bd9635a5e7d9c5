import { describeProblems, Message } from '../../contracts';
import type { Database } from '../../db/database';
import type { Logger } from '../../lib/logger';
import type { Broker } from '../broker';
import { assertNever } from '../../lib/assert-never';
import type { MessagingStore, OutboxRow } from './store';

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
 * What the relay is doing: the one state its loop and its events (wakes, confirms, stop) share.
 * `failures` counts the failed claims and publishes since the last confirm: a broker blip is
 * retried within milliseconds, an outage less and less often.
 */
type RelayState =
  /** Not started, or stopped: the loop ends, and what is unconfirmed is left to settle. */
  | { kind: 'stopped' }
  /** Claiming rows and publishing them; `woken`: rows may have been committed since the claim began. */
  | { kind: 'publishing'; failures: number; woken: boolean }
  /** `window` publishes are unconfirmed: until a confirm makes room. */
  | { kind: 'full'; failures: number }
  /** Nothing was left to claim: until a writer wakes the relay, or the poll comes round. */
  | { kind: 'idle'; failures: number }
  /** A claim or a publish failed: until its retry is due, wakes are ignored, so as not to hammer a broker that is down. */
  | { kind: 'backingOff'; failures: number };

/**
 * Publishes committed outbox rows in commit order, keeping up to `window` of them unconfirmed,
 * and deletes each once the broker has confirmed it (the deletes of a turn together). Writers
 * call `wake()` so a message leaves within milliseconds; a crash between commit and confirm
 * only delays it until the next start, which publishes every row left.
 *
 * One loop does the work, `while (not stopped) { claim rows → publish them }`, pausing when
 * there is nothing to claim, no room in the window, or a failure to wait out; confirms and
 * failures arrive on their own, change the state, and cut the pause short where that changes
 * what the loop does next.
 */
export class OutboxRelay {
  private state: RelayState = { kind: 'stopped' };
  /** The loop, or the loops one after the other across stops and starts: never two at once. */
  private loop: Promise<void> = Promise.resolve();
  /** Publishes sent and not yet confirmed or failed. */
  private readonly unconfirmed = new Set<Promise<void>>();
  /** Rows confirmed in this turn, deleted together on the next. */
  private confirmed: number[] = [];
  /** Ends the loop's pause: at once, or (`soon`) on a later tick, so the wakes of a turn make one claim. */
  private resume: ((soon: boolean) => void) | undefined;

  constructor(
    private readonly database: Database<MessagingStore>,
    private readonly broker: Broker,
    private readonly logger: Logger,
    private readonly options: RelayOptions = {},
  ) {}

  /** Publishes every row left (after a restart, those a crash left behind), then what writers commit. */
  start(): void {
    if (this.state.kind !== 'stopped') return this.wake();
    this.state = { kind: 'publishing', failures: 0, woken: false };
    this.loop = this.loop.then(() => this.run());
  }

  /** Makes the relay look for rows on a later tick: call it once the rows to publish are committed. */
  wake(): void {
    const state = this.state;
    if (state.kind === 'idle') this.resume?.(true);
    else if (state.kind === 'publishing' && !state.woken) this.state = { ...state, woken: true };
  }

  /** Stops publishing, waits for the confirms outstanding and deletes the rows they confirm. */
  async stop(): Promise<void> {
    this.state = { kind: 'stopped' };
    this.resume?.(false);
    await this.loop;
    await Promise.all(this.unconfirmed);
    await this.deleteConfirmed();
  }

  // Every change to a state the loop pauses in is made in the same turn as the pause begins:
  // a confirm or a wake that came in between would find no pause to cut short.
  private async run(): Promise<void> {
    const { pollMs = 1000, firstRetryMs = 20, window = 256 } = this.options;
    for (let state = this.state; state.kind !== 'stopped'; state = this.state) {
      switch (state.kind) {
        case 'publishing': {
          const room = window - this.unconfirmed.size;
          if (room === 0) {
            this.state = { kind: 'full', failures: state.failures };
            break;
          }
          const claimed = await this.claimAndPublish(state, room);
          const after = this.state;
          // Fewer than asked: none was left, unless rows were committed since the claim began.
          if (claimed < room && after.kind === 'publishing' && !after.woken)
            this.state = { kind: 'idle', failures: after.failures };
          break;
        }
        case 'full':
        case 'idle':
        case 'backingOff': {
          const ms = state.kind === 'backingOff' ? Math.min(pollMs, firstRetryMs * 2 ** (state.failures - 1)) : pollMs;
          await this.pause(ms);
          // Unless something else happened meanwhile (a failure, a stop), look again.
          const after = this.state;
          if (after.kind === state.kind) this.state = { kind: 'publishing', failures: after.failures, woken: false };
          break;
        }
        default:
          assertNever(state);
      }
    }
  }

  /** Claims up to `limit` rows and publishes them; how many it claimed (none when the claim failed). */
  private async claimAndPublish(state: Extract<RelayState, { kind: 'publishing' }>, limit: number): Promise<number> {
    this.state = { ...state, woken: false };
    let rows: OutboxRow[];
    try {
      rows = await this.database.read((store) => store.claimOutbox(limit));
    } catch (error) {
      // The database did not answer the claim: tried again as after a failed publish.
      this.fail(error);
      return 0;
    }
    // Even once stopped: a claimed row is not handed out again before the next start.
    for (const row of rows) this.publish(row);
    return rows.length;
  }

  private publish({ seq, type, payload }: OutboxRow): void {
    const published: Promise<void> = this.broker.publish(type, payload).then(
      () => this.settled(published, seq),
      (error: unknown) => this.settled(published, seq, error ?? new Error('publish failed')),
    );
    this.unconfirmed.add(published);
  }

  private settled(published: Promise<void>, seq: number, error?: unknown): void {
    this.unconfirmed.delete(published);
    if (error !== undefined) {
      this.release(seq);
      return this.fail(error);
    }
    this.confirmed.push(seq);
    if (this.confirmed.length === 1) setImmediate(() => void this.deleteConfirmed());
    const state = this.state;
    if (state.kind === 'full') this.resume?.(false);
    if (state.kind !== 'stopped' && state.failures > 0) this.state = { ...state, failures: 0 };
  }

  private fail(error: unknown): void {
    const state = this.state;
    if (state.kind === 'stopped' || state.kind === 'backingOff') return;
    const failures = state.failures + 1;
    this.state = { kind: 'backingOff', failures };
    this.logger.warn({ err: error, failures }, 'outbox relay could not publish or claim; will retry');
    this.resume?.(false);
  }

  /** Waits `ms`, or until `resume` is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        this.resume = undefined;
        resolve();
      };
      let timer = setTimeout(end, ms);
      this.resume = (soon) => {
        clearTimeout(timer);
        if (soon) timer = setTimeout(end, 0);
        else end();
      };
    });
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
