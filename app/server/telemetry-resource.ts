import type { Resource } from '@opentelemetry/resources';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * What the spans named `serviceName` by default say of their source: the SDK's own attributes,
 * service.name, service.instance.id (INSTANCE_ID) and service.version (package.json), then what
 * the environment says over them, by the spec's precedence (the SDK's envDetector):
 * OTEL_SERVICE_NAME first, then a service.name in OTEL_RESOURCE_ATTRIBUTES, then the default.
 */
export async function resourceOf(serviceName: string, instanceId: string): Promise<Resource> {
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } =
    await import('@opentelemetry/resources');
  return defaultResource()
    .merge(
      resourceFromAttributes({
        'service.name': serviceName,
        'service.instance.id': instanceId,
        'service.version': packageJson.version,
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));
}
