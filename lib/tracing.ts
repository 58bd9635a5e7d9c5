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
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { pooledRandomBytes } from './random-pool';

/**
 * W3C trace context through the saga: an HTTP request's `traceparent` and `tracestate` (or a
 * new trace) go into every message it causes, and each message handled starts a span under the
 * one that sent it, so one order is one trace. Spans go through @opentelemetry/api: with an SDK
 * registered (app/server/telemetry.ts, when the OTEL_* settings name a collector) they are
 * recorded and exported; without one the API makes no span of its own, and a span context is
 * made here instead, so that logs and messages carry a trace id (and the caller's tracestate,
 * unchanged) either way.
 */

export { SpanKind };

/** W3C trace context as it travels: in HTTP headers, and in message envelopes. */
export interface TraceContext {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

const propagator = new W3CTraceContextPropagator();
const processTracer = trace.getTracer('saga-shop');
/** Services with a tracer provider of their own: several services in one process, each its service.name. */
const serviceTracers = new Map<string, Tracer>();

/** Gives each service's spans its own tracer provider (app/server/telemetry.ts); the others keep the process's. */
export function useServiceTracerProviders(providers: ReadonlyMap<string, TracerProvider>): void {
  serviceTracers.clear();
  for (const [service, provider] of providers) serviceTracers.set(service, provider.getTracer('saga-shop'));
}

/**
 * The tracestate of each open span that has one, by the `traceparent` naming the span: the code
 * that builds a message is handed the traceparent alone, and `withTracestate` adds the rest as
 * the message leaves.
 */
const openTracestates = new Map<string, string>();

const randomHex = (bytes: number) => pooledRandomBytes(bytes).toString('hex');

const parentContext = ({ traceparent, tracestate }: TraceContext) =>
  traceparent ? propagator.extract(ROOT_CONTEXT, { traceparent, tracestate }, defaultTextMapGetter) : ROOT_CONTEXT;

export interface SpanOptions {
  attributes?: Attributes;
  /** The service whose work the span is, for its service.name when the process runs several. */
  service?: string;
}

/**
 * A span under the one `parent` names, continuing its tracestate (a new trace without a
 * traceparent). End it with `endSpan`.
 */
export function startSpan(
  name: string,
  kind: SpanKind,
  parent: TraceContext = {},
  { attributes = {}, service }: SpanOptions = {},
): Span {
  const context = parentContext(parent);
  const from = trace.getSpanContext(context);
  const tracer = (service && serviceTracers.get(service)) || processTracer;
  const made = tracer.startSpan(name, { kind, attributes }, context);
  const madeContext = made.spanContext();
  // No SDK: the API handed back the parent's own context, or an invalid one at the root.
  const span =
    trace.isSpanContextValid(madeContext) && madeContext.spanId !== from?.spanId
      ? made
      : trace.wrapSpanContext({
          traceId: from?.traceId ?? randomHex(16),
          spanId: randomHex(8),
          traceFlags: from?.traceFlags ?? TraceFlags.NONE,
          ...(from?.traceState && { traceState: from.traceState }),
        });
  const tracestate = span.spanContext().traceState?.serialize();
  if (tracestate) openTracestates.set(traceparentOf(span), tracestate);
  return span;
}

export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  if (span.spanContext().traceState) openTracestates.delete(traceparentOf(span));
  span.end();
}

/** The `traceparent` that makes the next span a child of `span`. */
export function traceparentOf(span: Span): string {
  const carrier: { traceparent?: string } = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent!;
}

/** `message` with the tracestate of the open span its `traceparent` names, when that span has one. */
export function withTracestate<M extends TraceContext>(message: M): M {
  const tracestate = message.traceparent && openTracestates.get(message.traceparent);
  return tracestate ? { ...message, tracestate } : message;
}

/** The trace id a `traceparent` names, for log lines. */
export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  traceparent ? trace.getSpanContext(parentContext({ traceparent }))?.traceId : undefined;
