import type { Mode, Store } from './deployment';
import type { RoutesRate } from './http-rate';
import type { Share } from './profile';
import { printTable } from './report';

/** What one run of the bench measured: a mode on a store, with its instances and broker. */
export interface Result {
  mode: Mode;
  store: Store;
  instances: number;
  /** The RabbitMQ modes' broker: `single+classic` or `cluster+quorum`. */
  broker?: string;
  closed: {
    sagasPerSecond: number;
    postP50: number;
    sagaP50: number;
    sagaP95: number;
    sagaP99: number;
    /** What was left of the machine while it ran: how far more cores for the shop could take it. */
    idleShare: number;
    /** The CPU time this process, the load generator, took per saga, on the same cores as the shop. */
    loadCpuMsPerSaga: number;
  };
  open: { rate: number; sagasPerSecond: number; shed: number; sagaP50: number; sagaP95: number; sagaP99: number };
  peakRssMiB: Record<string, number>;
  cpuMsPerSaga: number;
  /** What the shop's processes wrote to storage per saga (not RabbitMQ's own). */
  writtenKiBPerSaga: number;
  violations: string[];
  /** GET /products and GET /health, requests a second, of the shop and of a bare hono app (the embedded all-in-one only). */
  http?: { bare: RoutesRate; shop: RoutesRate };
  /** Per process, its main thread's profile and the places that took the most busy time (with `--profile`). */
  profile?: Record<string, { file: string; shares: Share[] }>;
}

/** A run's name: its mode, then its store and instances where they are not the default, then its broker. */
export const nameOf = ({ mode, store, instances, broker }: Pick<Result, 'mode' | 'store' | 'instances' | 'broker'>) =>
  [mode, ...(store === 'sqlite' ? [] : [store]), ...(instances === 1 ? [] : [`×${instances}`])].join(' ') +
  (broker === undefined ? '' : `, ${broker}`);

/** The table of every run: the closed loop, the open loop, cost, memory and the invariants. */
export function printResults(results: readonly Result[], ceilingOf: (result: Result) => number): void {
  const fixed = (n: number, digits = 0) => n.toFixed(digits);
  const table = [
    [
      'mode',
      'sagas/s',
      '÷ceiling',
      'POST p50',
      'saga p50',
      'p95',
      'p99',
      'idle %',
      'load CPU',
      'open rate',
      'sagas/s',
      'shed',
      'saga p50',
      'p95',
      'p99',
      'CPU ms/saga',
      'KiB written/saga',
      'peak RSS MiB',
      'invariants',
    ],
    ...results.map((r) => [
      nameOf(r),
      fixed(r.closed.sagasPerSecond),
      `${fixed(r.closed.sagasPerSecond / ceilingOf(r), 2)}`,
      fixed(r.closed.postP50),
      fixed(r.closed.sagaP50),
      fixed(r.closed.sagaP95),
      fixed(r.closed.sagaP99),
      fixed(r.closed.idleShare * 100),
      fixed(r.closed.loadCpuMsPerSaga, 2),
      fixed(r.open.rate),
      fixed(r.open.sagasPerSecond),
      String(r.open.shed),
      fixed(r.open.sagaP50),
      fixed(r.open.sagaP95),
      fixed(r.open.sagaP99),
      fixed(r.cpuMsPerSaga, 2),
      fixed(r.writtenKiBPerSaga),
      Object.values(r.peakRssMiB)
        .map((rss) => fixed(rss))
        .join('+'),
      r.violations.length === 0 ? 'held' : r.violations.join('; '),
    ]),
  ];
  printTable(table);
}
