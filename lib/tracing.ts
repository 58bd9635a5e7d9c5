import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { pooledRandomBytes } from './random-pool';

/**
 * W3C trace context through the saga: an HTTP request's `traceparent` (or a new trace) goes
 * into every message it causes, and each message handled starts a span under the one that sent
 * it, so one order is one trace. Spans go through @opentelemetry/api: with an SDK registered
 * (app/server/telemetry.ts, when OTEL_EXPORTER_OTLP_ENDPOINT is set) they are recorded and exported;
 * without one the API makes no span of its own, and a span context is made here instead, so
 * that logs and messages carry a trace id either way.
 */

export { SpanKind };
const tracer = trace.getTracer('saga-shop');
const propagator = new W3CTraceContextPropagator();

const randomHex = (bytes: number) => pooledRandomBytes(bytes).toString('hex');

const parentContext = (traceparent: string | undefined) =>
  traceparent ? propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter) : ROOT_CONTEXT;

/** A span under the one `traceparent` names (a new trace without one). End it with `endSpan`. */
export function startSpan(
  name: string,
  kind: SpanKind,
  traceparent: string | undefined,
  attributes: Attributes = {},
): Span {
  const parent = parentContext(traceparent);
  const from = trace.getSpanContext(parent);
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const made = span.spanContext();
  if (trace.isSpanContextValid(made) && made.spanId !== from?.spanId) return span;
  // No SDK: the API handed back the parent's own context, or an invalid one at the root.
  return trace.wrapSpanContext({
    traceId: from?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    traceFlags: from?.traceFlags ?? TraceFlags.NONE,
  });
}

export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** The `traceparent` that makes the next span a child of `span`. */
export function traceparentOf(span: Span): string {
  const carrier: { traceparent?: string } = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent!;
}

/** The trace id a `traceparent` names, for log lines. */
export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  traceparent ? trace.getSpanContext(parentContext(traceparent))?.traceId : undefined;
