import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ServiceName } from '../../contracts';

const root = join(import.meta.dirname, '..', '..');

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let built = false;
/** `npm run build`, once per bench run, so the processes run the code as it is now. */
function buildOnce() {
  if (!built) execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'ignore' });
  built = true;
}

/**
 * The shop as a child process, started as `npm run start:prod` and the image start it
 * (`node dist/main.js`: run `npm run build` first), answering on its own port. With a CPU
 * profile it runs the source through tsx's loader instead, so the profile names source files.
 */
export class ProductProcess {
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly child: ChildProcess,
    /** Where GET /health answers on a port of its own, when started with `healthPort`. */
    readonly healthUrl: string | undefined,
  ) {}

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /**
   * With `profileDir`, node writes a CPU profile of each of the process's threads (its main
   * thread, tsx's loader) into `<profileDir>/<name>/` when it exits. `entry`: a TypeScript
   * file to run through tsx's loader instead of the shop.
   */
  static async start(
    name: string,
    env: Record<string, string>,
    {
      service,
      profileDir,
      port: fixedPort,
      entry,
      healthPort = false,
    }: { service?: ServiceName; profileDir?: string; port?: number; entry?: string; healthPort?: boolean } = {},
  ): Promise<ProductProcess> {
    const port = fixedPort ?? (await freePort());
    const ownHealthPort = healthPort ? await freePort() : undefined;
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];
    const source = entry ?? (profileDir ? 'app/server/main.ts' : undefined);
    if (!source) buildOnce();
    const program = source ? ['--import', 'tsx', source] : ['dist/main.js'];
    const child = spawn(process.execPath, [...profile, ...program, ...(service ? [service] : [])], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        // Warnings only, unless asked: LOG_LEVEL=info measures the shop at its default level.
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        // As the npm start scripts set it (package.json).
        MALLOC_ARENA_MAX: '2',
        ...env,
        PORT: String(port),
        ...(ownHealthPort === undefined ? {} : { HEALTH_PORT: String(ownHealthPort) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => output.push(String(chunk)));
    const product = new ProductProcess(
      name,
      `http://127.0.0.1:${port}`,
      child,
      ownHealthPort === undefined ? undefined : `http://127.0.0.1:${ownHealthPort}/health`,
    );
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      const answered = await fetch(`${product.url}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (answered) return product;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${name} did not start:\n${output.join('').slice(-2000)}`);
  }

  /**
   * Resident memory now (VmRSS) and at its peak (VmHWM), CPU time used so far, and what it has
   * written to storage so far (write_bytes: its databases' WAL and checkpoints), read from /proc.
   */
  usage(): { rssMiB: number; peakRssMiB: number; cpuSeconds: number; writtenBytes: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 a second here).
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const writtenBytes = Number(/write_bytes: (\d+)/.exec(readFileSync(`/proc/${this.child.pid}/io`, 'utf8'))?.[1]);
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024, cpuSeconds: ticks / 100, writtenBytes };
  }

  /** Kills the process at once, as a crash or an OOM kill would: no shutdown of any kind. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  private get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
