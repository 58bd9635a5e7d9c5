import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withDeployment, type Deployment, type Mode } from './deployment';
import { closedLoop } from './load';
import { clearStatus, printTable, status } from './report';
import { invariantViolations, rowsKeptForAWhile, waitSettled } from './results';

/** How many orders `--soak` places unless `--orders` says otherwise. */
export const SOAK_ORDERS = 200_000;

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
  /** Inbox ids and saga trace rows held: what retention keeps bounded. */
  keptRows: { inbox: number; trace: number };
}

const filesBytes = (dir: string) =>
  readdirSync(dir)
    .filter((name) => /\.db(-wal)?$/.test(name))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

/** A closed loop of `orders`, measured in `slices` equal slices: is the last as fast and as small as the first? */
export async function soak(
  { client, shop, dataDir, data, processes }: Deployment,
  {
    orders,
    concurrency,
    slices = 10,
    progress,
  }: { orders: number; concurrency: number; slices?: number; progress: (text: string) => void },
): Promise<Slice[]> {
  const measured: Slice[] = [];
  const counting: Promise<void>[] = [];
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
      const slice: Slice = {
        orders: done,
        sagasPerSecond: (sagas * 1000) / (now - sliceStarted),
        rssMiB: processes.reduce((sum, p) => sum + p.usage().rssMiB, 0),
        dbMiB: bytes / 2 ** 20,
        dbBytesPerSaga: (bytes - bytesBefore) / sagas,
        keptRows: { inbox: 0, trace: 0 },
      };
      measured.push(slice);
      // Counted as the slice ends, read while the loop goes on.
      counting.push(rowsKeptForAWhile(data).then((rows) => void (slice.keptRows = rows)));
      [sliceStarted, bytesBefore, ordersBefore] = [now, bytes, done];
    },
  });
  await Promise.all(counting);
  return measured;
}

/**
 * `--soak`: does the cost grow with the work? One long closed loop per mode, with retention
 * shortened to a minute; each tenth of it is measured for throughput, memory, database growth
 * per saga and the rows kept for a while. Flat means the last slice runs at 90 % or more of the first.
 */
export async function runSoak(options: { orders: number; concurrency: number; modes: Mode[]; rabbitmq: string }) {
  const results: { mode: Mode; slices: Slice[]; flat: boolean; violations: string[] }[] = [];
  for (const mode of options.modes) {
    status(`${mode}: starting`);
    results.push(
      await withDeployment(mode, { rabbitmq: options.rabbitmq, env: soakRetention }, async (deployment) => {
        const slices = await soak(deployment, { ...options, progress: (text) => status(`${mode}: ${text}`) });
        await waitSettled(deployment.data);
        const flat = slices.at(-1)!.sagasPerSecond >= 0.9 * slices[0]!.sagasPerSecond;
        return { mode, slices, flat, violations: await invariantViolations(deployment.data, deployment.shop.stock) };
      }),
    );
  }
  clearStatus();
  console.log(`soak: ${options.orders} orders, ${options.concurrency} customers, retention 1 minute`);
  for (const { mode, slices, flat, violations } of results) {
    printTable([
      [mode, 'orders', 'sagas/s', 'RSS MiB', 'DB MiB', 'DB bytes/saga', 'inbox rows', 'trace rows'],
      ...slices.map((slice, i) => [
        `${(i + 1) * 10} %`,
        String(slice.orders),
        slice.sagasPerSecond.toFixed(0),
        slice.rssMiB.toFixed(0),
        slice.dbMiB.toFixed(1),
        slice.dbBytesPerSaga.toFixed(0),
        String(slice.keptRows.inbox),
        String(slice.keptRows.trace),
      ]),
    ]);
    const ratio = slices.at(-1)!.sagasPerSecond / slices[0]!.sagasPerSecond;
    console.log(
      `${mode}: last slice at ${(ratio * 100).toFixed(0)} % of the first: ${flat ? 'flat' : 'NOT flat'}; ` +
        `invariants ${violations.length === 0 ? 'held' : violations.join('; ')}`,
    );
  }
  console.log(JSON.stringify({ soak: results }));
  if (results.some((r) => !r.flat || r.violations.length > 0)) process.exitCode = 1;
}
