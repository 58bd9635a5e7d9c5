import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { onNotFound } from '../../http/errors';
import type { MetricsPage } from '../../platform/metrics';
import { answerMetrics, metricsRoute } from '../operator/metrics-route';
import { closeGracefully, listen } from './listen';

export interface MetricsListener {
  port: number;
  /** Starts serving what `scrape` gives; until then GET /metrics answers 503 `starting`. */
  serve(scrape: () => Promise<MetricsPage>): void;
  close(): Promise<void>;
}

/** A scrape takes milliseconds: a stop waits no longer than this for one in flight. */
const STOP_GRACE_MS = 2_000;

/**
 * GET /metrics on a port of its own (METRICS_PORT), for Prometheus on the private network,
 * while PORT, which an entry point opens to anyone, answers 404 there.
 */
export async function startMetricsListener(port: number): Promise<MetricsListener> {
  const { server, ready } = await listen(port, 'METRICS_PORT');
  return {
    port: (server.address() as AddressInfo).port,
    serve(scrape) {
      const app = new Hono();
      app.get(metricsRoute.path, (c) => answerMetrics(c, scrape));
      app.notFound(onNotFound);
      ready(app.fetch);
    },
    close: () => closeGracefully(server, STOP_GRACE_MS),
  };
}
