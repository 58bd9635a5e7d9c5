import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../contracts';
import { waitFor } from '../../lib/wait';
import { AppProcess } from '../faults/app-process';
import { expectInvariantsExplained } from '../faults/checks';
import { CARDS } from '../support/api';
import { captureLogs } from '../support/captured-logs';
import { withFaults } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { recording, type Published } from '../support/recording-broker';
import { startTestSystem, type TestSystem } from '../support/system';
import { serviceNames } from '../../contracts/services';

/** W3C trace context from the POST that places an order through every message of its saga. */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparentRe = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The messages of one order that crossed the broker, with the trace and span their traceparent names. */
function messagesOf(published: Published[], orderId: string) {
  return published
    .map(({ payload }) => JSON.parse(payload) as Message)
    .filter((message) => message.correlationId === orderId)
    .map((message) => {
      const [, traceId, spanId, flags] = traceparentRe.exec(message.traceparent ?? '') ?? [];
      return { message, traceId, spanId, flags };
    });
}

describe('trace context', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('carries the traceparent of the POST in every message of its saga, a span per handling', async () => {
    let published: Published[] = [];
    system = await startTestSystem('in-process', {
      wrapBroker: (broker) => {
        const recorder = recording(broker);
        published = recorder.published;
        return recorder;
      },
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 900, stock: 5 });
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.settles, {
      traceparent: `00-${TRACE}-${CALLER_SPAN}-01`,
    });
    expect((await api.settled(buyer.token, placed.body.id)).status).toBe('CONFIRMED');
    await expectInvariants(system);

    const messages = messagesOf(published, placed.body.id);
    expect(new Set(messages.map((m) => m.message.producer))).toEqual(new Set(serviceNames));
    for (const { message, traceId, flags } of messages)
      expect({ type: message.type, traceId, flags }).toEqual({ type: message.type, traceId: TRACE, flags: '01' });
    // The POST is a span under the caller's; each handling a span of its own, whose messages share it.
    const spanOf = new Map<string | null, Set<string>>();
    for (const { message, spanId } of messages)
      spanOf.set(message.causationId, (spanOf.get(message.causationId) ?? new Set()).add(spanId!));
    expect([...spanOf.values()].every((spans) => spans.size === 1)).toBe(true);
    const spans = [...spanOf.values()].map((set) => [...set][0]);
    expect(new Set(spans).size).toBe(spans.length);
    expect(spans).not.toContain(CALLER_SPAN);
  });

  it('starts a trace for a POST without one: its access-log line and its messages carry the same trace id', async () => {
    const logs = captureLogs('debug');
    let published: Published[] = [];
    system = await startTestSystem('in-process', {
      logger: logs.logger,
      env: { SAGA_STEP_TIMEOUTS_MS: 'verifyUser=300' },
      // UserVerified never arrives: the saga gives up at the deadline and releases the stock.
      wrapBroker: (broker) => {
        const recorder = recording(withFaults(broker, { seed: 1, drop: { types: ['UserVerified'] } }));
        published = recorder.published;
        return recorder;
      },
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 900, stock: 5 });
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    const order = await api.settled(buyer.token, placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT' });
    await expectInvariants(system);

    const request = logs.parsed().find((line) => line.msg === 'request' && line.orderId === placed.body.id);
    expect(request?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const messages = messagesOf(published, placed.body.id);
    // ReleaseStock is sent at the deadline, by no message: under the span that started the saga.
    expect(messages.map((m) => m.message.type)).toContain('ReleaseStock');
    for (const { message, traceId } of messages)
      expect({ type: message.type, traceId }).toEqual({ type: message.type, traceId: request!.traceId });
  });
});

describe('with an OpenTelemetry collector (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let collector: Server | undefined;
  let app: AppProcess | undefined;
  afterEach(async () => {
    await app?.kill();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('receives one trace per saga: the POST, then a span per message handled, each under its sender', async () => {
    type Span = { traceId: string; spanId: string; parentSpanId?: string; name: string };
    const spans: Span[] = [];
    collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        expect(request.url).toBe('/v1/traces');
        const sent = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
        for (const resource of sent.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'otel-'));
    app = await AppProcess.start({ dataDir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });

    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${app!.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as Record<string, string>;
    };
    const admin = (await call('POST', '/auth/login', { email: 'admin@example.com', password: 'admin' })).token;
    const mug = await call('POST', '/products', { name: 'Mug', priceCents: 900, stock: 5 }, admin);
    await call('POST', '/auth/register', { name: 'Ann', email: 'ann@example.com', password: 'a-long-enough-password' });
    const ann = (await call('POST', '/auth/login', { email: 'ann@example.com', password: 'a-long-enough-password' }))
      .token;
    const order = await call(
      'POST',
      '/orders',
      { items: [{ productId: mug.id, quantity: 1 }], payment: { cardNumber: CARDS.settles } },
      ann,
    );
    await waitFor(async () => (await call('GET', `/orders/${order.id}`, undefined, ann)).status === 'CONFIRMED', {
      what: 'the order to be confirmed',
    });

    const post = () => spans.find((span) => span.name === 'POST /orders');
    await waitFor(
      async () => spans.some((span) => span.name === 'process OrderConfirmed' && span.traceId === post()?.traceId),
      {
        what: 'the spans of the saga to reach the collector',
      },
    );
    const saga = spans.filter((span) => span.traceId === post()!.traceId);
    const names = saga.map((span) => span.name);
    for (const type of [
      'OrderRequested',
      'VerifyUser',
      'ReserveStock',
      'UserVerified',
      'StockReserved',
      'SettlePayment',
      'PaymentSettled',
      'CommitStock',
      'StockCommitted',
      'OrderConfirmed',
    ])
      expect(names).toContain(`process ${type}`);
    // Every span but the POST hangs under another span of the same trace.
    const ids = new Set(saga.map((span) => span.spanId));
    for (const span of saga.filter((each) => each !== post()))
      expect(ids.has(span.parentSpanId!), span.name).toBe(true);
    expect(saga.find((span) => span.name === 'process OrderRequested')?.parentSpanId).toBe(post()!.spanId);
    // The SDK changes nothing of what the saga did.
    await expectInvariantsExplained({ dataDir, received: new Map([[mug.id!, 5]]) });
  });
});
