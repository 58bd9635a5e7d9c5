/**
 * Wakes the orchestrator when the earliest stored deadline comes, and at least every
 * `pollMs` as a safety net. Deadlines live in the saga store, not in this timer, so a
 * restart loses none: the first tick after start fires every overdue one.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    /**
     * Fires what is due at `now`; false when it left some to another instance (a saga of a
     * definition this one does not know), which then waits a poll rather than spin on them.
     */
    private readonly fireDue: (now: Date) => Promise<boolean>,
    /** The earliest deadline in the store (ISO time), if any. */
    private readonly earliest: () => Promise<string | undefined>,
    private readonly onError: (error: unknown) => void,
    private readonly pollMs = 500,
  ) {}

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let untilNext = this.pollMs;
    try {
      if (await this.fireDue(new Date())) {
        const next = await this.earliest();
        if (next !== undefined) untilNext = Math.min(untilNext, Date.parse(next) - Date.now());
      }
    } catch (error) {
      this.onError(error);
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, untilNext));
  }
}
