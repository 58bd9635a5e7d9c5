import { readFileSync } from 'node:fs';

export interface MachineCpu {
  idle: number;
  total: number;
}

/** The CPU time of every core of the machine so far, in ticks, from the first line of /proc/stat. */
export function machineCpu(): MachineCpu {
  // cpu  user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as [number, number, number, number, number, number, number, number];
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** The share of the machine's CPU time that nothing used between two readings. */
export const idleShare = (before: MachineCpu, after: MachineCpu) =>
  (after.idle - before.idle) / (after.total - before.total);
