import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from './deployment';
import { closedLoop } from './load';
import { rowsKeptForAWhile } from './results';

/**
 * The retention the soak runs with: a minute, so that a run of minutes reaches the steady state
 * a shop with the defaults (7 and 30 days) reaches after weeks.
 */
export const soakRetention = {
  INBOX_RETENTION_MS: '60000',
  TRACE_RETENTION_MS: '60000',
  PRUNE_INTERVAL_MS: '5000',
};

export interface Slice {
  /** Orders ended by the end of the slice. */
  orders: number;
  sagasPerSecond: number;
  /** Resident memory of every process together at the end of the slice. */
  rssMiB: number;
  /** SQLite files (with their write-ahead logs) together. */
  dbMiB: number;
  /** Bytes the files grew by per saga of the slice: the shop's records, once the pruning keeps up. */
  dbBytesPerSaga: number;
  /** Inbox ids and saga trace and step rows held: what retention keeps bounded. */
  keptRows: { inbox: number; trace: number; steps: number };
}

const filesBytes = (dir: string) =>
  readdirSync(dir)
    .filter((name) => /\.db(-wal)?$/.test(name))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

/** A closed loop of `orders`, measured in `slices` equal slices: is the last as fast and as small as the first? */
export async function soak(
  { client, shop, dataDir, processes }: Deployment,
  {
    orders,
    concurrency,
    slices = 10,
    progress,
  }: { orders: number; concurrency: number; slices?: number; progress: (text: string) => void },
): Promise<Slice[]> {
  const measured: Slice[] = [];
  let sliceStarted = performance.now();
  let bytesBefore = filesBytes(dataDir);
  let ordersBefore = 0;
  const sliceSize = Math.ceil(orders / slices);
  await closedLoop(client, shop, {
    orders,
    concurrency,
    progress: (done) => {
      if (done % sliceSize !== 0 && done !== orders) return progress(`soak: ${done}/${orders}`);
      const now = performance.now();
      const bytes = filesBytes(dataDir);
      const sagas = done - ordersBefore;
      measured.push({
        orders: done,
        sagasPerSecond: (sagas * 1000) / (now - sliceStarted),
        rssMiB: processes.reduce((sum, p) => sum + p.usage().rssMiB, 0),
        dbMiB: bytes / 2 ** 20,
        dbBytesPerSaga: (bytes - bytesBefore) / sagas,
        keptRows: rowsKeptForAWhile(dataDir),
      });
      [sliceStarted, bytesBefore, ordersBefore] = [now, bytes, done];
    },
  });
  return measured;
}
