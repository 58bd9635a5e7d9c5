import { afterEach, describe, expect, it, vi } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { resourceOf } from './telemetry-resource';

describe('the resource of the spans', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('names the service, the instance and the version, over the SDK’s own attributes', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', '');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', '');
    expect((await resourceOf('saga-shop-orders', 'host-1')).attributes).toMatchObject({
      'service.name': 'saga-shop-orders',
      'service.instance.id': 'host-1',
      'service.version': packageJson.version,
      'telemetry.sdk.language': 'nodejs',
    });
  });

  it('takes OTEL_RESOURCE_ATTRIBUTES over the defaults, its service.name too, and OTEL_SERVICE_NAME over both', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', '');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'service.name=shop,deployment.environment.name=staging,service.version=9');
    expect((await resourceOf('saga-shop-orders', 'host-1')).attributes).toMatchObject({
      'service.name': 'shop',
      'deployment.environment.name': 'staging',
      'service.version': '9',
      'service.instance.id': 'host-1',
    });
    vi.stubEnv('OTEL_SERVICE_NAME', 'checkout');
    expect((await resourceOf('saga-shop-orders', 'host-1')).attributes['service.name']).toBe('checkout');
  });
});
