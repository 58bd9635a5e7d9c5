import { setFlagsFromString } from 'node:v8';

/** Old-generation growth between full collections, in percent of what survived the last one. */
const HEAP_GROWING_PERCENT = 50;

/**
 * After a full collection V8 lets the old generation grow to up to four times what survived
 * before it collects again. The shop keeps little alive and promotes much short-lived garbage
 * (a message's objects outlive a few young-generation collections while it waits for its group
 * commit), so under load the process held several times what it used in dead objects
 * (docs/performance.md). Growing by half instead keeps its memory near what it uses; the extra full collections mark
 * concurrently, off the main thread. A `--heap-growing-percent` on node's command line wins.
 * NODE_OPTIONS cannot carry it, hence the flag set here, first thing at start.
 */
export function limitHeapGrowth(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
