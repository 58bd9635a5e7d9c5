import type { Span } from '@opentelemetry/api';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { endSpan, SpanKind, startSpan, traceparentOf } from '../lib/tracing';
import { annotate } from './access-log';

/**
 * A server span per request, under the caller's `traceparent` and with its `tracestate` when it
 * sends them: the messages a request causes carry both (`requestTraceparent`, and the tracestate
 * the Endpoint adds as they leave), and its access-log line the trace id.
 */
export const tracing = () =>
  createMiddleware(async (c, next) => {
    const caller = { traceparent: c.req.header('traceparent'), tracestate: c.req.header('tracestate') };
    const span = startSpan(c.req.method, SpanKind.SERVER, caller, {
      attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path },
    });
    c.set('span' as never, span as never);
    annotate(c, { traceId: span.spanContext().traceId });
    await next();
    // After the handler: the route pattern that answered names the span.
    span.updateName(`${c.req.method} ${c.req.routePath}`);
    span.setAttribute('http.route', c.req.routePath);
    span.setAttribute('http.response.status_code', c.res.status);
    endSpan(span, c.res.status >= 500 ? `answered ${c.res.status}` : undefined);
  });

/** The request's span, as the `traceparent` of a message it sends (made only when one is sent). */
export const requestTraceparent = (c: Context): string | undefined => {
  const span = c.get('span' as never) as Span | undefined;
  return span && traceparentOf(span);
};
