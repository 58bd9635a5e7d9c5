import type { Logger } from '../../lib/logger';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the OpenTelemetry SDK: the spans of lib/tracing.ts are
 * recorded and sent, batched, to that collector over OTLP/HTTP, named `serviceName`. Without it
 * nothing is loaded, and the spans stay what @opentelemetry/api makes of them: ids only.
 * Resolves to what flushes and stops it.
 */
export async function startTelemetry(
  endpoint: string | undefined,
  serviceName: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (!endpoint) return async () => {};
  const [{ BatchSpanProcessor, NodeTracerProvider }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const url = new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  logger.info({ url, serviceName }, 'sending spans to an OpenTelemetry collector');
  return () => provider.shutdown();
}
