import { z } from 'zod';
import { assertNever } from '../../lib/assert-never';

/**
 * The OpenTelemetry settings the shop checks at start (app/server/config.ts), as the spec names
 * them (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). The
 * SDK reads them itself (app/server/telemetry.ts) and would drop a wrong one quietly: checked
 * here, it stops the start with a line naming it.
 */

/** OTEL_TRACES_SAMPLER: the samplers the SDK builds; its default is parentbased_always_on. */
export const samplers = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** A collector's address. */
export const otlpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text.trim());
  } catch {
    return undefined;
  }
};

/** An HTTP header's name (RFC 9110 token): Node refuses to send any other. */
const headerName = /^[!#$%&'*+.^_`|~\w-]+$/;
/** The SDK's limit on a resource attribute's key and value. */
const MAX_ATTRIBUTE_LENGTH = 255;

/** What is wrong with one `key=value` pair, named by its key: a header's value is an API key. */
function pairProblem(pair: string, kind: 'header' | 'attribute'): string | undefined {
  const at = pair.indexOf('=');
  if (at < 0) return 'is not key=value';
  const [key, value] = [decoded(pair.slice(0, at)), decoded(pair.slice(at + 1))];
  if (key === undefined || value === undefined) return 'is not percent-encoded';
  if (key === '') return 'has no key';
  switch (kind) {
    case 'header':
      if (!headerName.test(key)) return `has "${key}", which is no header name`;
      return value === '' ? `has no value for "${key}"` : undefined;
    case 'attribute':
      // The SDK splits a pair at each "=": one in a value must be percent-encoded, or it drops them all.
      if (pair.indexOf('=', at + 1) >= 0) return `has an "=" in the value of "${key}": write it %3D`;
      if (key.length > MAX_ATTRIBUTE_LENGTH || value.length > MAX_ATTRIBUTE_LENGTH)
        return `has a key or value over ${MAX_ATTRIBUTE_LENGTH} characters ("${key.slice(0, 40)}")`;
      return undefined;
    default:
      return assertNever(kind);
  }
}

/**
 * `key=value` pairs separated by commas, each percent-encoded, as OTEL_EXPORTER_OTLP_HEADERS
 * (headers) and OTEL_RESOURCE_ATTRIBUTES (attributes) take them. A problem names its pair by
 * place and key, never by value (config.ts shows no part of the headers).
 */
export const keyValuePairs = (kind: 'header' | 'attribute') =>
  z.string().superRefine((text, context) => {
    text.split(',').forEach((pair, index) => {
      const problem = pair.trim() === '' ? undefined : pairProblem(pair, kind);
      if (problem) context.addIssue({ code: 'custom', message: `pair ${index + 1} ${problem}` });
    });
  });

export interface OtlpSettings {
  OTEL_SDK_DISABLED?: boolean | undefined;
  OTEL_TRACES_EXPORTER?: 'otlp' | 'none' | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
}

/**
 * Where the SDK sends spans, by the spec's rule its exporter follows: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * as it is, or OTEL_EXPORTER_OTLP_ENDPOINT with `v1/traces` after it. None while neither is set,
 * OTEL_TRACES_EXPORTER is `none` or OTEL_SDK_DISABLED `true`: then no SDK is loaded.
 */
export function otlpTracesUrl(settings: OtlpSettings): string | undefined {
  if (settings.OTEL_SDK_DISABLED || settings.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return new URL(settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).href;
  const endpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  return endpoint && `${endpoint.endsWith('/') ? endpoint : `${endpoint}/`}v1/traces`;
}
