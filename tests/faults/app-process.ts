import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../../contracts';
import { freePort } from './ports';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** The settings every child gets; JWT and card keys fixed so tokens survive a restart. */
const baseEnv = {
  JWT_SECRET: 'fault-test-jwt-secret',
  CARD_TOKEN_KEY: 'fault-test-card-key',
  LOG_LEVEL: 'warn',
};
/** Settings of the test runner that must not leak into a child unless asked for. */
const scrubbed = [
  'PORT',
  'DATA_DIR',
  'DATABASE_URL',
  'INSTANCE_ID',
  'BROKER_URL',
  'BROKER_NAMESPACE',
  'SAGA_STEP_TIMEOUTS_MS',
  'FAULT_SEED',
];

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

export interface AppProcessOptions {
  /** The service to run alone; all of them (the all-in-one process) when unset. */
  service?: ServiceName;
  /** Its name in logs and in the cluster: the service's (or `all-in-one`) unless given. */
  name?: string;
  dataDir: string;
  /** RabbitMQ; the in-process broker when unset. */
  broker?: { url: string; namespace: string };
  /** Extra settings, e.g. SAGA_STEP_TIMEOUTS_MS. */
  env?: Record<string, string>;
  /**
   * How it is started: `tsx app/server/main.ts` (the default); `npm`, as the README starts it (`npm start`
   * or `npm run start:<service>`); `compiled`, as the image starts it (`node dist/main.js`, after
   * `npm run build`).
   */
  launch?: 'tsx' | 'npm' | 'compiled';
}

/** How long what a launcher started may outlive it before it counts as orphaned. */
const ORPHAN_GRACE_MS = 5_000;

/**
 * The app as a real child process (`tsx app/server/main.ts [service]`, `npm start` or `node dist/main.js`) on its own port, killable
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
    this.name = options.name ?? options.service ?? 'all-in-one';
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
    const service = this.options.service ? [this.options.service] : [];
    const [command, args] = {
      tsx: [tsx, ['app/server/main.ts', ...service]],
      npm: ['npm', this.options.service ? ['run', '--silent', `start:${this.options.service}`] : ['start', '--silent']],
      compiled: [process.execPath, ['dist/main.js', ...service]],
    }[this.options.launch ?? 'tsx'] as [string, string[]];
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exitCode = undefined;
    if (child.pid !== undefined) liveGroups.add(child.pid);
    for (const stream of [child.stdout, child.stderr]) {
      // A chunk may end mid-line: the rest of that line comes with the next one.
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        this.log(generation, lines);
      });
      stream?.on('end', () => this.log(generation, [partial]));
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = signal ?? String(code);
        if (this.child === child) this.child = undefined;
        this.log(generation, [`[exited: ${this.exitCode}]`]);
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

  /**
   * SIGKILL to the whole process group (tsx and the node process it runs), sent before this
   * returns; resolves once all of it is gone.
   */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    await this.killGroup(child.pid);
  }

  private async killGroup(group: number): Promise<void> {
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

  /**
   * Sends `signal` to the started process alone (npm or tsx, not its group), as `docker stop` or
   * a terminal would, and waits up to `timeoutMs` for it to exit. Returns how it exited and
   * whether anything it started is still alive (a server orphaned by its launcher).
   */
  async signal(signal: NodeJS.Signals, { timeoutMs = 15_000 } = {}): Promise<{ exit: string; orphans: boolean }> {
    const child = this.child;
    if (!child || child.pid === undefined) throw new Error(`${this.name} is not running`);
    child.kill(signal);
    const exitedInTime = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exitedInTime)
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}:\n${this.logTail()}`);
    // What the launcher started exits on its own signal, a little after it on a loaded machine;
    // an orphan is one still there seconds later.
    const groupAlive = () => {
      try {
        process.kill(-child.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + ORPHAN_GRACE_MS;
    while (groupAlive() && Date.now() < deadline) await sleep(100);
    const orphans = groupAlive();
    if (orphans) await this.killGroup(child.pid);
    return { exit: this.exitCode!, orphans };
  }

  /** The lines the current generation has written so far that parse as log lines. */
  logLinesOfThisRun(): { msg?: string; [key: string]: unknown }[] {
    const prefix = `[${this.name}#${this.generation}] `;
    return this.logLines
      .filter((line) => line.startsWith(`${prefix}{`))
      .map((line) => JSON.parse(line.slice(prefix.length)) as { msg?: string });
  }

  /** The last lines the process (every generation of it) wrote, for failure messages. */
  logTail(lines = 60): string {
    return this.logLines
      .slice(-lines)
      .map((line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line))
      .join('\n');
  }

  private log(generation: number, lines: readonly string[]) {
    for (const line of lines) if (line.trim() !== '') this.logLines.push(`[${this.name}#${generation}] ${line}`);
    if (this.logLines.length > 2000) this.logLines.splice(0, this.logLines.length - 1000);
  }
}
