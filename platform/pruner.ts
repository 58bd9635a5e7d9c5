import type { Logger } from '../lib/logger';

/** One kind of row kept for a while: removes up to `limit` rows past their retention at `now`. */
export type Prune = (now: Date, limit: number) => Promise<number>;

/** Rows removed per transaction: small enough that a chunk never holds the writer for long. */
const CHUNK = 500;

/**
 * Runs a service's prunes at start and every `everyMs`, each in chunks until nothing is left
 * past its retention, yielding between chunks so that the messages being handled go first.
 * A failure is logged and tried again next time: pruning is housekeeping, never in the way.
 */
export class Pruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly prunes: Record<string, Prune>,
    private readonly everyMs: number,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.stopped = false;
    void this.runOnce();
    // Unref'd: the next pruning never keeps a stopping process alive.
    this.timer = setInterval(() => void this.runOnce(), this.everyMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Prunes everything past its retention now; resolves when done (or stopped). */
  runOnce(): Promise<void> {
    this.running ??= this.pruneAll().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * One pass prunes what was past retention when the pass began: under load, rows keep aging
   * past a moving cutoff as fast as a chunk removes them, and the first prune would never end.
   */
  private async pruneAll(): Promise<void> {
    const now = this.clock();
    for (const [what, prune] of Object.entries(this.prunes)) {
      let removed = 0;
      try {
        for (let chunk = CHUNK; chunk === CHUNK && !this.stopped;) {
          chunk = await prune(now, CHUNK);
          removed += chunk;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        this.logger.warn({ err: error, what }, 'pruning failed; trying again at the next interval');
      }
      if (removed > 0) this.logger.info({ what, removed }, 'pruned rows past their retention');
    }
  }
}
