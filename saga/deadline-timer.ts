/**
 * Wakes the orchestrator when the earliest stored deadline comes, and at least every
 * `pollMs` as a safety net. Deadlines live in the saga store, not in this timer, so a
 * restart loses none: the first tick after start fires every overdue one.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    /** Fires what is due at `now`. */
    private readonly fireDue: (now: Date) => void,
    /** The earliest deadline in the store (ISO time), if any. */
    private readonly earliest: () => string | undefined,
    private readonly onError: (error: unknown) => void,
    private readonly pollMs = 500,
  ) {}

  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    if (this.stopped) return;
    try {
      this.fireDue(new Date());
    } catch (error) {
      this.onError(error);
    }
    const next = this.earliest();
    const untilNext = next === undefined ? this.pollMs : Date.parse(next) - Date.now();
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.min(untilNext, this.pollMs)));
  }
}
