/**
 * Process-level fault injection: the shop as real child processes that the tests SIGKILL and
 * start again, driven over HTTP.
 *
 * Environment of the fault tests:
 * - FAULT_SEED: replays a run (orders, cards, stock, kill points); each test prints its seed.
 * - FAULT_KEEP_DATA=1: a failing test keeps its data folder (the SQLite files) for inspection.
 * - RABBITMQ_URL: the RabbitMQ to use (default amqp://guest:guest@127.0.0.1:5672).
 * rabbitmq-restart.test.ts stops and starts the local RabbitMQ node (rabbitmqctl), which
 * disturbs every other RabbitMQ client while it runs: run it alone or after the others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFailed } from 'vitest';
import type { ServiceName } from '../../contracts';
import { Http, type Router } from './http';

/** The RabbitMQ the fault tests use (the same default as the scenario suite). */
export const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** The settings every child gets; JWT and card keys fixed so tokens survive a restart. */
const baseEnv = {
  JWT_SECRET: 'fault-test-jwt-secret',
  CARD_TOKEN_KEY: 'fault-test-card-key',
  LOG_LEVEL: 'warn',
};
/** Settings of the test runner that must not leak into a child unless asked for. */
const scrubbed = ['PORT', 'DATA_DIR', 'BROKER_URL', 'BROKER_NAMESPACE', 'SAGA_STEP_TIMEOUTS_MS', 'FAULT_SEED'];

/**
 * Process groups still alive. `tsx` runs the app in a child node process, so a SIGKILL to
 * the tsx process alone would orphan the real one: every child is spawned detached (its own
 * process group) and killed as a group. If the test runner exits without cleaning up, this
 * last-chance hook kills what is left.
 */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const group of liveGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface AppProcessOptions {
  /** The service to run alone; all of them (the all-in-one process) when unset. */
  service?: ServiceName;
  dataDir: string;
  /** RabbitMQ; the in-process broker when unset. */
  broker?: { url: string; namespace: string };
  /** Extra settings, e.g. SAGA_STEP_TIMEOUTS_MS. */
  env?: Record<string, string>;
}

/**
 * The app as a real child process (`tsx app/main.ts [service]`) on its own port, killable
 * with SIGKILL and startable again on the same data folder and RabbitMQ namespace.
 */
export class AppProcess {
  readonly name: string;
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitCode: string | undefined;
  private generation = 0;
  private readonly logLines: string[] = [];
  /** How long each start took until /health answered, for the test's report. */
  readonly startupMs: number[] = [];

  private constructor(
    readonly port: number,
    private readonly options: AppProcessOptions,
  ) {
    this.name = options.service ?? 'all-in-one';
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const app = new AppProcess(await freePort(), options);
    await app.start();
    return app;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the process (again) and waits until GET /health answers 200. */
  async start({ timeoutMs = 60_000 } = {}): Promise<void> {
    if (this.child) throw new Error(`${this.name} is already running`);
    const generation = ++this.generation;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of scrubbed) delete env[name];
    Object.assign(env, baseEnv, {
      PORT: String(this.port),
      DATA_DIR: this.options.dataDir,
      ...(this.options.broker
        ? { BROKER_URL: this.options.broker.url, BROKER_NAMESPACE: this.options.broker.namespace }
        : {}),
      ...this.options.env,
    });
    const args = ['app/main.ts', ...(this.options.service ? [this.options.service] : [])];
    const started = Date.now();
    const child = spawn(tsx, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exitCode = undefined;
    if (child.pid !== undefined) liveGroups.add(child.pid);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.log(generation, chunk));
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = signal ?? String(code);
        if (this.child === child) this.child = undefined;
        this.log(generation, `[exited: ${this.exitCode}]\n`);
        resolve();
      });
      child.once('error', (error) => {
        this.exitCode = `spawn error ${error.message}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child !== child) {
        throw new Error(`${this.name} exited (${this.exitCode}) before answering /health:\n${this.logTail()}`);
      }
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.name} did not answer /health within ${timeoutMs} ms:\n${this.logTail()}`);
      }
      await sleep(50);
    }
    this.startupMs.push(Date.now() - started);
  }

  /** SIGKILL to the whole process group (tsx and the node process it runs); resolves once all of it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const group = child.pid;
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
    // The grandchild may outlive the tsx process by a moment: wait until the group is empty,
    // so a restart never meets the old process on its port or its database files.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(-group, 0);
      } catch {
        break;
      }
      await sleep(20);
    }
    liveGroups.delete(group);
  }

  /** The last lines the process (every generation of it) wrote, for failure messages. */
  logTail(lines = 60): string {
    return this.logLines.slice(-lines).join('\n');
  }

  private log(generation: number, chunk: string) {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      this.logLines.push(`[${this.name}#${generation}] ${line.length > 600 ? `${line.slice(0, 600)}…` : line}`);
    }
    if (this.logLines.length > 2000) this.logLines.splice(0, this.logLines.length - 1000);
  }
}

export type Mode = 'all-in-one' | 'per-service';
export type Transport = 'in-process' | 'rabbitmq';

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
      // RabbitMQ may be coming back from a restart (rabbitmq-restart.test.ts): try for a while.
      const { deleteTopology } = await import('../../broker/rabbitmq');
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

/** Runs registered clean-ups in reverse order, each even when another one failed. */
export class Cleanup {
  private readonly tasks: (() => unknown)[] = [];

  add(task: () => unknown): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.tasks.length > 0) {
      const task = this.tasks.pop()!;
      try {
        await task();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
