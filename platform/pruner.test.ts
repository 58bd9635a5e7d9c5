import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger';
import { waitFor } from '../lib/wait';
import { Pruner } from './pruner';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ write: (line: string) => lines.push(JSON.parse(line)) }, 'info');
  return { logger, lines };
};

describe('the pruner', () => {
  it('prunes in chunks until nothing is left past retention, and says how much it removed', async () => {
    let left = 1_234;
    const chunks: number[] = [];
    const { logger, lines } = capture();
    const pruner = new Pruner(
      {
        inbox: async (_now, limit) => {
          const removed = Math.min(limit, left);
          left -= removed;
          chunks.push(removed);
          return removed;
        },
      },
      60_000,
      logger,
    );
    await pruner.runOnce();
    expect(left).toBe(0);
    expect(chunks).toEqual([500, 500, 234]);
    expect(lines).toContainEqual(expect.objectContaining({ what: 'inbox', removed: 1_234 }));
  });

  it('passes its clock to each prune', async () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const seen: Date[] = [];
    const pruner = new Pruner({ trace: async (at) => (seen.push(at), 0) }, 60_000, capture().logger, () => now);
    await pruner.runOnce();
    expect(seen).toEqual([now]);
  });

  it('prunes, in one pass, what was past retention when the pass began, so the next prune gets its turn', async () => {
    // A row a millisecond, and a clock that moves a second each time it is read: under load, rows
    // age past a moving cutoff faster than chunks of 500 remove them.
    let clock = 10_000;
    let prunedUpTo = 0;
    const inbox = async (now: Date, limit: number) => {
      const removed = Math.min(limit, now.getTime() - prunedUpTo);
      prunedUpTo += removed;
      return removed;
    };
    let traceRan = false;
    const pruner = new Pruner(
      { inbox, trace: async () => ((traceRan = true), 0) },
      60_000,
      capture().logger,
      () => new Date((clock += 1_000)),
    );
    await pruner.runOnce();
    expect(prunedUpTo).toBe(11_000);
    expect(traceRan).toBe(true);
  });

  it('logs a failing prune and still runs the others', async () => {
    const { logger, lines } = capture();
    let traceRan = false;
    const pruner = new Pruner(
      {
        inbox: async () => {
          throw new Error('database is locked');
        },
        trace: async () => ((traceRan = true), 0),
      },
      60_000,
      logger,
    );
    await pruner.runOnce();
    expect(traceRan).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ what: 'inbox', msg: expect.stringContaining('failed') }));
  });

  it('runs at start and then every interval, and stops between chunks', async () => {
    let runs = 0;
    const pruner = new Pruner({ inbox: async () => (runs++, 0) }, 20, capture().logger);
    pruner.start();
    await waitFor(() => runs >= 3, { what: 'three prunings' });
    await pruner.stop();
    const afterStop = runs;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toBe(afterStop);

    let chunks = 0;
    const endless = new Pruner({ inbox: async (_now, limit) => (chunks++, limit) }, 60_000, capture().logger);
    endless.start();
    await endless.stop();
    expect(chunks).toBeLessThanOrEqual(1);
  });
});
