import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

/** The OpenTelemetry settings as loadConfig reads them: where the spans go, and what it refuses. */
const tracesUrl = (env: NodeJS.ProcessEnv) => loadConfig(env).otlpTracesUrl;
const refusal = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`${JSON.stringify(env)} was taken`);
};

describe('OpenTelemetry settings', () => {
  it('sends spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, or to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is', () => {
    expect(tracesUrl({})).toBeUndefined();
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector/otlp/' })).toBe(
      'https://collector/otlp/v1/traces',
    );
    expect(
      tracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://vendor.example/api/spans',
      }),
    ).toBe('https://vendor.example/api/spans');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318/');
  });

  it('loads no SDK under OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracesUrl({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracesUrl({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracesUrl({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toBeUndefined();
    expect(tracesUrl({ ...endpoint, OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(
      'http://collector:4318/v1/traces',
    );
  });

  it('takes the sampler, its ratio, the timeout, headers and resource attributes the spec describes', () => {
    expect(() =>
      loadConfig({
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc==, authorization=Basic%20c2hvcA',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=shop%3Dcheckout',
        OTEL_SERVICE_NAME: 'checkout',
      }),
    ).not.toThrow();
  });

  it.each([
    [
      'OTEL_TRACES_SAMPLER',
      'sometimes',
      /^OTEL_TRACES_SAMPLER must be one of always_on, always_off, .*, not "sometimes"$/,
    ],
    ['OTEL_TRACES_SAMPLER_ARG', '2', /^OTEL_TRACES_SAMPLER_ARG must be a fraction from 0 to 1, not "2"$/],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', 'soon', /^OTEL_EXPORTER_OTLP_TIMEOUT must be a positive whole number, not "soon"$/],
    ['OTEL_SDK_DISABLED', 'yes', /^OTEL_SDK_DISABLED must be true or false, not "yes"$/],
    ['OTEL_TRACES_EXPORTER', 'zipkin', /^OTEL_TRACES_EXPORTER must be otlp or none, not "zipkin"$/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /^OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'grpc://collector', /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http/],
    [
      'OTEL_RESOURCE_ATTRIBUTES',
      'team=a=b',
      'OTEL_RESOURCE_ATTRIBUTES pair 1 has an "=" in the value of "team": write it %3D, not "team=a=b"',
    ],
    ['OTEL_RESOURCE_ATTRIBUTES', 'a=1,=2', 'OTEL_RESOURCE_ATTRIBUTES pair 2 has no key, not "a=1,=2"'],
  ])('refuses %s=%s in one line naming it and what it expects', (name, value, message) => {
    expect(refusal({ [name]: value })).toMatch(message);
  });

  it('never repeats a header it refuses, nor the password of a URL', () => {
    const secret = 'sk-live-0123456789';
    expect(refusal({ OTEL_EXPORTER_OTLP_HEADERS: secret })).toBe('OTEL_EXPORTER_OTLP_HEADERS pair 1 is not key=value');
    expect(refusal({ OTEL_EXPORTER_OTLP_HEADERS: `x-ok=1,api key=${secret}` })).toBe(
      'OTEL_EXPORTER_OTLP_HEADERS pair 2 has "api key", which is no header name',
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${secret}%E0%A4%A` })).toBe(
      'OTEL_EXPORTER_OTLP_HEADERS pair 1 is not percent-encoded',
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=' })).toBe(
      'OTEL_EXPORTER_OTLP_HEADERS pair 1 has no value for "x-api-key"',
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: `ftp://shop:${secret}@collector` })).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, not "ftp://shop:***@collector/"',
    );
  });
});
