import { diag, DiagLogLevel, type DiagLogFunction } from '@opentelemetry/api';
import type { ServiceName } from '../../contracts';
import type { Logger } from '../../lib/logger';
import { redactUrl, redactUrlsIn } from '../../lib/redact-url';
import { useServiceTracerProviders } from '../../lib/tracing';
import { resourceOf } from './telemetry-resource';

export interface TelemetrySettings {
  /** Where the spans go (config.otlpTracesUrl); no SDK is loaded without it. */
  tracesUrl: string | undefined;
  /** This process among the instances of its services (INSTANCE_ID): service.instance.id. */
  instanceId: string;
  /** The services this process runs. */
  services: readonly ServiceName[];
}

const serviceNameOf = (service: ServiceName) => `saga-shop-${service}`;

/**
 * service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES says otherwise: a process
 * running one service is that service; the all-in-one process is the shop.
 */
export const processServiceName = (services: readonly ServiceName[]): string =>
  services.length === 1 ? serviceNameOf(services[0]!) : 'saga-shop';

/**
 * The SDK says what goes wrong (an export the collector refused or never got) only through its
 * diagnostic logger, silent by default: its warnings and errors become warn lines of ours. Its
 * messages may quote the collector's URL, so any password in one is masked.
 */
function reportDiagnostics(logger: Logger): void {
  const warn: DiagLogFunction = (message, ...args) =>
    logger.warn(redactUrlsIn(`OpenTelemetry SDK: ${[message, ...args].map(messageOf).join(' ')}`));
  const ignore: DiagLogFunction = () => {};
  diag.setLogger({ error: warn, warn, info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);
}

/** An exception's message: the SDK hands its error handler's exceptions over as JSON, stack and all. */
function messageOf(part: unknown): string {
  if (part instanceof Error) return part.message;
  try {
    const parsed: unknown = JSON.parse(String(part));
    if (parsed && typeof parsed === 'object' && 'message' in parsed) return String(parsed.message);
  } catch {
    // Plain text: as it is.
  }
  return String(part);
}

/**
 * With a `tracesUrl`, the OpenTelemetry SDK: the spans of lib/tracing.ts are recorded and sent
 * there, batched, over OTLP/HTTP. The SDK reads the rest of its settings from the environment,
 * as the spec names them: the exporter its headers and timeout (OTEL_EXPORTER_OTLP_HEADERS,
 * _TIMEOUT), the tracer provider its sampler (OTEL_TRACES_SAMPLER, _ARG), the batch processor
 * its delays (OTEL_BSP_*), the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
 * (telemetry-resource.ts). In the all-in-one process each service has a tracer provider of its
 * own, so that its spans carry its service.name, and they share one processor and exporter; a
 * request's span is the process's. Without a `tracesUrl` nothing is loaded, and the spans stay
 * what @opentelemetry/api makes of them: ids only. Resolves to what flushes and stops it.
 */
export async function startTelemetry(
  { tracesUrl, instanceId, services }: TelemetrySettings,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (!tracesUrl) return async () => {};
  reportDiagnostics(logger);
  const [{ BatchSpanProcessor, NodeTracerProvider }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl }));
  const providerOf = async (serviceName: string) => {
    const resource = await resourceOf(serviceName, instanceId);
    return {
      provider: new NodeTracerProvider({ resource, spanProcessors: [processor] }),
      serviceName: String(resource.attributes['service.name']),
    };
  };

  const processWide = await providerOf(processServiceName(services));
  processWide.provider.register();
  const perService =
    services.length > 1
      ? await Promise.all(services.map(async (service) => [service, await providerOf(serviceNameOf(service))] as const))
      : [];
  useServiceTracerProviders(new Map(perService.map(([service, { provider }]) => [service, provider])));
  const all = [processWide, ...perService.map(([, each]) => each)];
  // Never the headers: they carry the collector's API key.
  logger.info(
    { url: redactUrl(tracesUrl), serviceNames: [...new Set(all.map(({ serviceName }) => serviceName))] },
    'sending spans to an OpenTelemetry collector',
  );
  // The processor they share flushes and stops once, however many of them ask.
  return async () => {
    await Promise.all(all.map(({ provider }) => provider.shutdown()));
  };
}
