import { randomInt } from 'node:crypto';

/**
 * The seed of one fault test: FAULT_SEED when set (to replay a failure), a fresh one otherwise.
 * It is printed first thing, so a failing run can be replayed with the same orders, cards,
 * stock and kill points. (The interleaving of the processes is the OS's, not the seed's: a
 * replay reproduces the plan, and usually the failure.)
 */
export function seedFor(label: string): number {
  const fixed = process.env.FAULT_SEED;
  let seed: number;
  if (fixed !== undefined && fixed !== '') {
    seed = Number(fixed);
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new Error(`FAULT_SEED must be a non-negative integer, not "${fixed}"`);
  } else {
    seed = randomInt(1, 2 ** 31 - 1);
  }
  console.log(`[faults] ${label}: seed ${seed} (replay: FAULT_SEED=${seed} npx vitest run tests/faults)`);
  return seed;
}

/** A seeded PRNG (mulberry32) with the few draws the fault tests need. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  /** The first `n` of a shuffled copy. */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, n);
  }
}
