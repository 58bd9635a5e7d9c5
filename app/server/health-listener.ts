import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Health } from '../../contracts/rest';
import { ConfigError } from '../../platform/config';

export interface HealthListenerOptions {
  port: number;
  /** How often the main thread reports. */
  everyMs?: number;
  /** Past this age the last report is stale: the main event loop is stuck or too busy to turn. */
  staleAfterMs?: number;
}

export interface HealthListener {
  port: number;
  /** Starts reporting what `check` says; until then GET /health answers 503 `starting`. */
  follow(check: () => Promise<Health>): Promise<void>;
  close(): Promise<void>;
}

/**
 * GET /health on a port and a thread of its own (HEALTH_PORT), for probes under load.
 *
 * Since libuv 1.46 a server accepts one connection per turn of its event loop. When hundreds of
 * clients connect at once to a busy shop, a probe's fresh connection waits seconds in the listen
 * queue behind them, and a load balancer would call the process dead exactly when it is busy.
 * This thread's loop has nothing else to do, so it accepts at once and answers from the last
 * report of the main thread; a report older than `staleAfterMs` makes it answer 503 with
 * `event-loop` down.
 */
export async function startHealthListener({
  port,
  everyMs = 250,
  staleAfterMs = 5_000,
}: HealthListenerOptions): Promise<HealthListener> {
  const worker = new Worker(new URL('./health-thread.mjs', import.meta.url), { workerData: { port, staleAfterMs } });
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
  let timer: NodeJS.Timeout | undefined;

  return {
    port: started.listening!,
    async follow(check) {
      let checking = false;
      const report = async () => {
        // A check still running (a database slow to answer) is not asked twice; its report ages instead.
        if (checking) return;
        checking = true;
        try {
          const health = await check();
          worker.postMessage({
            at: Date.now(),
            status: health.status === 'ok' ? 200 : 503,
            body: JSON.stringify(health),
          });
        } finally {
          checking = false;
        }
      };
      await report();
      // A check that fails leaves the last report to age, as one still running does.
      timer = setInterval(() => void report().catch(() => {}), everyMs);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
