import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import {
  endSpan,
  SpanKind,
  startSpan,
  traceIdOf,
  traceparentOf,
  useServiceTracerProviders,
  withTracestate,
  type TraceContext,
} from './tracing';

/** The caller's trace context: the W3C examples. */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
const caller = { traceparent: `00-${TRACE}-${CALLER_SPAN}-01`, tracestate: TRACESTATE };

/** A message sent under `traceparent`, as a handler builds it (the traceparent alone, beside its other fields). */
const messageUnder = (traceparent: string): TraceContext & { type: string } => ({ type: 'VerifyUser', traceparent });
/** The message as another process reads it off the wire. */
const received = <M>(message: M): M => JSON.parse(JSON.stringify(message)) as M;

describe('trace context without an SDK', () => {
  it("continues the caller's trace in a span of its own, with the caller's tracestate unchanged", () => {
    const span = startSpan('POST /orders', SpanKind.SERVER, caller);
    const context = span.spanContext();
    expect(context).toMatchObject({ traceId: TRACE, traceFlags: 1 });
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context.spanId).not.toBe(CALLER_SPAN);
    expect(context.traceState?.serialize()).toBe(TRACESTATE);
    expect(traceIdOf(traceparentOf(span))).toBe(TRACE);
    endSpan(span);
  });

  it('carries the tracestate through a message: sent under the span, continued by the handling, sent again', () => {
    const request = startSpan('POST /orders', SpanKind.SERVER, caller);
    const sent = withTracestate(messageUnder(traceparentOf(request)));
    expect(sent).toMatchObject({ type: 'VerifyUser', traceparent: traceparentOf(request), tracestate: TRACESTATE });
    endSpan(request);

    // Another process receives it: the handling continues the trace and its tracestate.
    const handling = startSpan('process VerifyUser', SpanKind.CONSUMER, received(sent));
    expect(handling.spanContext().traceId).toBe(TRACE);
    expect(handling.spanContext().spanId).not.toBe(request.spanContext().spanId);
    const reply = withTracestate(messageUnder(traceparentOf(handling)));
    expect(reply).toMatchObject({ traceparent: traceparentOf(handling), tracestate: TRACESTATE });
    endSpan(handling);
  });

  it('adds nothing once the span has ended, nor under a span that has no tracestate', () => {
    const request = startSpan('POST /orders', SpanKind.SERVER, caller);
    const traceparent = traceparentOf(request);
    endSpan(request);
    const late = messageUnder(traceparent);
    expect(withTracestate(late)).toBe(late);

    const untraced = startSpan('POST /orders', SpanKind.SERVER, { traceparent: caller.traceparent });
    const plain = messageUnder(traceparentOf(untraced));
    expect(withTracestate(plain)).not.toHaveProperty('tracestate');
    endSpan(untraced);
  });

  it('starts a new trace, without the tracestate, when the traceparent is missing or malformed', () => {
    for (const traceparent of [undefined, '00-not-a-trace-01']) {
      const span = startSpan('POST /orders', SpanKind.SERVER, { traceparent, tracestate: TRACESTATE });
      expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanContext().traceId).not.toBe(TRACE);
      expect(span.spanContext().traceState).toBeUndefined();
      endSpan(span);
    }
  });
});

describe('with a tracer provider per service', () => {
  afterEach(() => useServiceTracerProviders(new Map()));

  it("records a service's spans under its own resource, continuing the tracestate", async () => {
    const exporter = new InMemorySpanExporter();
    const orders = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'saga-shop-orders' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    useServiceTracerProviders(new Map([['orders', orders]]));

    const handling = startSpan('process OrderConfirmed', SpanKind.CONSUMER, caller, { service: 'orders' });
    const elsewhere = startSpan('process VerifyUser', SpanKind.CONSUMER, caller, { service: 'users' });
    expect(withTracestate(messageUnder(traceparentOf(handling))).tracestate).toBe(TRACESTATE);
    endSpan(handling);
    endSpan(elsewhere);
    await orders.forceFlush();

    const [recorded, ...others] = exporter.getFinishedSpans();
    expect(others).toEqual([]);
    expect(recorded).toMatchObject({ name: 'process OrderConfirmed', parentSpanContext: { spanId: CALLER_SPAN } });
    expect(recorded!.resource.attributes['service.name']).toBe('saga-shop-orders');
    expect(recorded!.spanContext().traceState?.serialize()).toBe(TRACESTATE);
    await orders.shutdown();
  });
});
