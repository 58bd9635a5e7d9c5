import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Process-level fault injection: the shop as real child processes that the tests SIGKILL and
 * start again, driven over HTTP.
 *
 * Environment of the fault tests:
 * - FAULT_SEED: replays a run (orders, cards, stock, kill points); each test prints its seed.
 * - FAULT_KEEP_DATA=1: a failing test keeps its data folder (the SQLite files) for inspection.
 * - RABBITMQ_URL: the RabbitMQ to use (default amqp://guest:guest@127.0.0.1:5672).
 * restart.rabbitmq.test.ts stops and starts the local RabbitMQ node (rabbitmqctl), which
 * disturbs every other RabbitMQ client while it runs: run it alone or after the others.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFailed } from 'vitest';
import type { ServiceName } from '../../contracts';
import { AppProcess } from './app-process';
import { rabbitUrl, type Transport } from '../support/system';
import { Http, type Router } from './http';

export type Mode = 'all-in-one' | 'per-service';

export const perServiceNames: readonly ServiceName[] = ['users', 'products', 'orders', 'payments', 'orchestrator'];

/** Which per-service process serves a path (README: each service serves only its own routes). */
export function serviceOfPath(path: string): ServiceName {
  if (path.startsWith('/auth') || path.startsWith('/users')) return 'users';
  if (path.startsWith('/products')) return 'products';
  if (path.startsWith('/invoices') || /^\/orders\/[^/?]+\/invoice/.test(path)) return 'payments';
  if (path.startsWith('/orders')) return 'orders';
  if (path.startsWith('/sagas')) return 'orchestrator';
  throw new Error(`no service serves ${path}`);
}

export interface ClusterOptions {
  mode: Mode;
  transport: Transport;
  /** Settings for every process. */
  env?: Record<string, string>;
  /** Settings for one service's process (per-service mode), on top of `env`. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The shop as child processes on one temporary data folder (and, over RabbitMQ, one
 * namespace of its own): one all-in-one process, or one process per service. `stop()`
 * kills them all, deletes the namespace's queues and exchange and removes the folder.
 */
export class Cluster {
  readonly http: Http;
  private stopped = false;
  private failed = false;

  private constructor(
    readonly options: ClusterOptions,
    readonly dataDir: string,
    readonly namespace: string | undefined,
    readonly processes: Map<string, AppProcess>,
  ) {
    const route: Router =
      options.mode === 'all-in-one'
        ? () => this.process('all-in-one').url
        : (path) => this.process(serviceOfPath(path)).url;
    this.http = new Http(route);
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    if (options.mode === 'per-service' && options.transport !== 'rabbitmq') {
      throw new Error('one process per service needs RabbitMQ');
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'shop-faults-'));
    const namespace = options.transport === 'rabbitmq' ? `fault-${randomUUID().slice(0, 8)}` : undefined;
    const broker = namespace ? { url: rabbitUrl, namespace } : undefined;
    const services: (ServiceName | undefined)[] = options.mode === 'all-in-one' ? [undefined] : [...perServiceNames];
    const processes = new Map<string, AppProcess>();
    const cluster = new Cluster(options, dataDir, namespace, processes);
    const results = await Promise.allSettled(
      services.map(async (service) => {
        const env = { ...options.env, ...(service ? options.serviceEnv?.[service] : {}) };
        const app = await AppProcess.start({ service, dataDir, broker, env });
        processes.set(app.name, app);
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      await cluster.stop();
      throw failed.reason;
    }
    return cluster;
  }

  process(name: string): AppProcess {
    const app = this.processes.get(name);
    if (!app) throw new Error(`no process ${name}`);
    return app;
  }

  /** Every process's recent output, for a failure message. */
  logTail(lines = 40): string {
    return [...this.processes.values()].map((app) => app.logTail(lines)).join('\n');
  }

  /**
   * When the running test fails: prints the seed and every process's recent output, and keeps
   * the data folder (with the RabbitMQ namespace deleted) if FAULT_KEEP_DATA is set.
   */
  explainFailure(seed: number): void {
    onTestFailed(() => {
      this.failed = true;
      const keep = process.env.FAULT_KEEP_DATA
        ? `kept in ${this.dataDir}`
        : `set FAULT_KEEP_DATA=1 to keep ${this.dataDir}`;
      console.log(
        `[faults] FAILED with seed ${seed} (replay: FAULT_SEED=${seed}); data ${keep}; process output:\n${this.logTail(80)}`,
      );
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.processes.values()].map((app) => app.kill()));
    if (this.namespace) {
      // RabbitMQ may be coming back from a restart (restart.rabbitmq.test.ts): try for a while.
      const { deleteTopology } = await import('../../broker/rabbitmq/rabbitmq');
      for (let attempt = 1; ; attempt++) {
        try {
          await deleteTopology(rabbitUrl, this.namespace);
          break;
        } catch (error) {
          if (attempt === 10) {
            console.warn(`[faults] could not delete RabbitMQ namespace ${this.namespace}: ${String(error)}`);
            break;
          }
          await sleep(2000);
        }
      }
    }
    if (!(this.failed && process.env.FAULT_KEEP_DATA)) await rm(this.dataDir, { recursive: true, force: true });
  }
}
