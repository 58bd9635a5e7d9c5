import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Health } from '../../contracts/rest';
import { ConfigError } from '../../platform/config';
import { alive, readinessOf, stuckEventLoop } from '../operator/health';

export interface HealthListenerOptions {
  port: number;
  /** How often the main thread reports. */
  everyMs?: number;
  /** Past this age the last report is stale: the main event loop is stuck or too busy to turn. */
  staleAfterMs?: number;
}

export interface HealthListener {
  port: number;
  /** Starts reporting what `check` says; until then GET /health and /readyz answer 503 `starting`. */
  follow(check: () => Promise<Health>): Promise<void>;
  close(): Promise<void>;
}

/** A probe's answer as the thread serves it: fresh, and in place of it once the report is stale. */
const answer = (ok: boolean, body: object, stale: object) => ({
  status: ok ? 200 : 503,
  body: JSON.stringify(body),
  stale: JSON.stringify(stale),
});

/** What the thread is told on every turn of the main event loop's timer, and after every check. */
function report(at: number, health?: Health) {
  if (!health) return { at };
  const readiness = readinessOf(health);
  return {
    at,
    answers: {
      '/health': answer(health.status === 'ok', health, stuckEventLoop.health(health)),
      '/readyz': answer(readiness.status === 'ready', readiness, stuckEventLoop.readiness(readiness)),
    },
  };
}

/**
 * GET /livez, /readyz and /health on a port and a thread of its own (HEALTH_PORT), for probes
 * under load.
 *
 * Since libuv 1.46 a server accepts one connection per turn of its event loop. When hundreds of
 * clients connect at once to a busy shop, a probe's fresh connection waits seconds in the listen
 * queue behind them, and a load balancer would call the process dead exactly when it is busy.
 * This thread's loop has nothing else to do, so it accepts at once and answers from the main
 * thread's reports. The main thread says it is alive on every tick of a timer, from the start,
 * and reports its health whenever a check completes: a database slow to answer ages the health
 * report alone, and only a stuck event loop fails /livez. A report older than `staleAfterMs`
 * makes each probe answer 503 with `event-loop` down.
 */
export async function startHealthListener({
  port,
  everyMs = 250,
  staleAfterMs = 5_000,
}: HealthListenerOptions): Promise<HealthListener> {
  const liveness = answer(true, alive, stuckEventLoop.liveness);
  const worker = new Worker(new URL('./health-thread.mjs', import.meta.url), {
    workerData: { port, staleAfterMs, liveness },
  });
  const [started] = (await once(worker, 'message')) as [
    { listening?: number; error?: { code: string; message: string } },
  ];
  if (started.error) {
    await worker.terminate();
    throw started.error.code === 'EADDRINUSE'
      ? new ConfigError(`HEALTH_PORT ${port} is already in use: stop what listens there or set HEALTH_PORT`)
      : new ConfigError(`HEALTH_PORT ${port}: ${started.error.message}`);
  }
  worker.unref();

  let check: (() => Promise<Health>) | undefined;
  let checking = false;
  const tick = async () => {
    worker.postMessage(report(Date.now()));
    // A check still running (a database slow to answer) is not asked twice; its report ages instead.
    if (!check || checking) return;
    checking = true;
    try {
      const health = await check();
      worker.postMessage(report(Date.now(), health));
    } finally {
      checking = false;
    }
  };
  // A check that fails leaves the last report to age, as one still running does.
  const timer = setInterval(() => void tick().catch(() => {}), everyMs);
  timer.unref();
  await tick();

  return {
    port: started.listening!,
    async follow(reported) {
      check = reported;
      await tick();
    },
    async close() {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
