import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Process-level fault injection: the shop as real child processes that the tests SIGKILL and
 * start again, driven over HTTP.
 *
 * Environment of the fault tests:
 * - FAULT_SEED: replays a run (orders, cards, stock, kill points); each test prints its seed.
 * - FAULT_KEEP_DATA=1: a failing test keeps its data folder (the SQLite files) for inspection.
 * - RABBITMQ_URL: the RabbitMQ to use (default amqp://guest:guest@127.0.0.1:5672).
 * - TEST_DATABASE_URL: the PostgreSQL server of `store: 'postgres'` clusters (default the local one).
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
import { rabbitUrl, store, type Transport } from '../support/system';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import { Http, type Router } from './http';
import { serviceNames } from '../../contracts/services';

export type Mode = 'all-in-one' | 'per-service';

export const perServiceNames: readonly ServiceName[] = serviceNames;

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
  /**
   * Processes per service (per-service mode) or all-in-one processes, 1 unless given. With more
   * than one, each is named `${service}-${i}` (`all-in-one-${i}`), from 1, and runs with that
   * name as its INSTANCE_ID; they share the data folder, the namespace and the database.
   */
  instances?: number;
  /**
   * Where the services keep their state: SQLite files in the data folder (the default) or, with
   * `postgres`, a scratch database on the test server (DATABASE_URL of every process), which
   * `stop()` drops. Several instances need PostgreSQL, and RabbitMQ.
   */
  store?: 'sqlite' | 'postgres';
}

/**
 * The shop as child processes on one temporary data folder (and, over RabbitMQ, one
 * namespace of its own; on PostgreSQL, one scratch database): one all-in-one process, or one
 * process per service, each once or `instances` times. `stop()` kills them all, deletes the
 * namespace's queues and exchange, drops the database and removes the folder.
 */
export class Cluster {
  readonly http: Http;
  private stopped = false;
  private failed = false;
  /** Requests sent so far per service (`all-in-one` for all): which running instance is next. */
  private readonly turns = new Map<string, number>();

  private constructor(
    readonly options: ClusterOptions,
    readonly dataDir: string,
    readonly namespace: string | undefined,
    private readonly database: ScratchPostgres | undefined,
    readonly processes: Map<string, AppProcess>,
  ) {
    const route: Router =
      options.mode === 'all-in-one' ? () => this.next('all-in-one').url : (path) => this.next(serviceOfPath(path)).url;
    this.http = new Http(route);
  }

  /** The PostgreSQL database every process keeps its state in (`store: 'postgres'`), else undefined. */
  /** Where its services keep their state, for `waitAllTerminal`'s failure message. */
  get location(): { dataDir: string; databaseUrl?: string } {
    return { dataDir: this.dataDir, ...(this.databaseUrl && { databaseUrl: this.databaseUrl }) };
  }

  get databaseUrl(): string | undefined {
    return this.database?.url;
  }

  static async start(given: ClusterOptions): Promise<Cluster> {
    // Unless the test names its store, the project's (TEST_STORE): the crash tests run on both.
    const options = { ...given, store: given.store ?? store };
    const instances = options.instances ?? 1;
    if (options.mode === 'per-service' && options.transport !== 'rabbitmq') {
      throw new Error('one process per service needs RabbitMQ');
    }
    if (!Number.isInteger(instances) || instances < 1) throw new Error(`instances must be 1 or more, not ${instances}`);
    if (instances > 1 && (options.transport !== 'rabbitmq' || options.store !== 'postgres')) {
      throw new Error('several instances of a service need RabbitMQ and PostgreSQL');
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'shop-faults-'));
    const namespace = options.transport === 'rabbitmq' ? `fault-${randomUUID().slice(0, 8)}` : undefined;
    const broker = namespace ? { url: rabbitUrl, namespace } : undefined;
    const processes = new Map<string, AppProcess>();
    let database: ScratchPostgres | undefined;
    try {
      database = options.store === 'postgres' ? await scratchPostgres() : undefined;
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    const cluster = new Cluster(options, dataDir, namespace, database, processes);
    const services: (ServiceName | undefined)[] = options.mode === 'all-in-one' ? [undefined] : [...perServiceNames];
    // One wave per instance number: ten processes starting at once on a small machine take
    // longer than the whole start of five, and the first wave applies the migrations alone.
    for (let i = 1; i <= instances; i++) {
      const results = await Promise.allSettled(
        services.map(async (service) => {
          const name = instances > 1 ? `${service ?? 'all-in-one'}-${i}` : undefined;
          const env = {
            ...(database ? { DATABASE_URL: database.url } : {}),
            ...(name ? { INSTANCE_ID: name } : {}),
            ...options.env,
            ...(service ? options.serviceEnv?.[service] : {}),
          };
          const app = await AppProcess.start({ service, name, dataDir, broker, env });
          processes.set(app.name, app);
        }),
      );
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) {
        await cluster.stop();
        throw failed.reason;
      }
    }
    return cluster;
  }

  process(name: string): AppProcess {
    const app = this.processes.get(name);
    if (!app) throw new Error(`no process ${name}`);
    return app;
  }

  /** Every process of `service` (`all-in-one` for the all-in-one ones), in instance order. */
  instancesOf(service: ServiceName | 'all-in-one'): AppProcess[] {
    return [...this.processes.values()].filter(
      (app) => app.name === service || app.name.replace(/-\d+$/, '') === service,
    );
  }

  /** The running instance of `service` whose turn it is; the first one when none runs (the request fails). */
  private next(service: ServiceName | 'all-in-one'): AppProcess {
    const all = this.instancesOf(service);
    if (all.length === 0) throw new Error(`no process serves ${service}`);
    const running = all.filter((app) => app.running);
    const turn = this.turns.get(service) ?? 0;
    this.turns.set(service, turn + 1);
    return running.length === 0 ? all[0]! : running[turn % running.length]!;
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
      const what = this.database ? `${this.dataDir} and database ${this.database.url}` : this.dataDir;
      const keep = process.env.FAULT_KEEP_DATA ? `kept in ${what}` : `set FAULT_KEEP_DATA=1 to keep ${what}`;
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
    const keep = this.failed && process.env.FAULT_KEEP_DATA;
    if (this.database && !keep) {
      // PostgreSQL may be coming back from a restart (restart-postgres.postgres.test.ts): try for a while.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.database.drop();
          break;
        } catch (error) {
          if (attempt === 10) {
            console.warn(`[faults] could not drop database ${this.database.url}: ${String(error)}`);
            break;
          }
          await sleep(2000);
        }
      }
    }
    if (!keep) await rm(this.dataDir, { recursive: true, force: true });
  }
}
