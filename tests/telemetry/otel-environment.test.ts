import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppProcess } from '../faults/app-process';
import { OtlpCollector } from './otlp-collector';
import { CALLER, placeTracedOrder } from './traced-order';

/**
 * The shop as a real process, configured by the OpenTelemetry SDK's own variables, placing an
 * order with the caller's trace context; a collector in the test receives what it sends.
 */

const STARTED = 'sending spans to an OpenTelemetry collector';

describe('the OTEL_* settings', () => {
  let collector: OtlpCollector | undefined;
  let app: AppProcess | undefined;
  afterEach(async () => {
    await app?.kill();
    await collector?.close();
  });

  const start = async (env: (collector: OtlpCollector) => Record<string, string>) => {
    collector = await OtlpCollector.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'otel-env-'));
    app = await AppProcess.start({ dataDir, env: { LOG_LEVEL: 'info', ...env(collector) } });
    return { collector, app };
  };

  it('sends to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, named by OTEL_SERVICE_NAME, with OTEL_RESOURCE_ATTRIBUTES', async () => {
    const { collector, app } = await start((collector) => {
      const { port } = new URL(collector.url);
      return {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/not-here`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://shop:collector-password@127.0.0.1:${port}/custom/traces`,
        OTEL_SERVICE_NAME: 'shop-under-test',
        // Its service.name gives way to OTEL_SERVICE_NAME, as the spec says.
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,deployment.environment.name=staging',
      };
    });
    await placeTracedOrder(app);
    expect((await app.signal('SIGTERM')).exit).toBe('0');

    expect(collector.posts.length).toBeGreaterThan(0);
    expect(new Set(collector.posts.map(({ path }) => path))).toEqual(new Set(['/custom/traces']));
    const saga = collector.trace(CALLER.traceId);
    expect(saga.map((span) => span.name)).toContain('process OrderConfirmed');
    for (const span of saga)
      expect({ name: span.name, traceState: span.traceState, ...span.resource }).toMatchObject({
        name: span.name,
        traceState: CALLER.tracestate,
        'service.name': 'shop-under-test',
        'deployment.environment.name': 'staging',
      });
    const started = app.logLinesOfThisRun().find((line) => line.msg === STARTED);
    expect(started).toMatchObject({
      url: `http://shop:***@127.0.0.1:${new URL(collector.url).port}/custom/traces`,
      serviceNames: ['shop-under-test'],
    });
    expect(app.logTail(2000)).not.toContain('collector-password');
  });

  it('sends no span under OTEL_TRACES_SAMPLER=always_off, and the order is confirmed all the same', async () => {
    const { collector, app } = await start((collector) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_TRACES_SAMPLER: 'always_off',
    }));
    await placeTracedOrder(app);
    expect((await app.signal('SIGTERM')).exit).toBe('0');

    // The SDK was there, and sampled nothing.
    expect(app.logLinesOfThisRun().some((line) => line.msg === STARTED)).toBe(true);
    expect(collector.spans).toEqual([]);
  });

  it('says in the log when spans cannot be sent, without the collector’s password', async () => {
    const { app } = await start((collector) => {
      const { port } = new URL(collector.url);
      return {
        // The collector is stopped below, so nothing listens there.
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://shop:collector-password@127.0.0.1:${port}`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      };
    });
    await collector!.close();
    collector = undefined;
    await placeTracedOrder(app);
    await expect
      .poll(
        () =>
          app
            .logLinesOfThisRun()
            .filter((line) => line.level === 40 && String(line.msg).startsWith('OpenTelemetry SDK: '))
            .map((line) => line.msg),
        {
          timeout: 15_000,
        },
      )
      .toContainEqual(expect.stringMatching(/^OpenTelemetry SDK: connect ECONNREFUSED 127\.0\.0\.1:\d+$/));
    expect(app.logTail(5000)).not.toContain('collector-password');
  });
});
