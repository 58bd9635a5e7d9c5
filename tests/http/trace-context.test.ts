import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../contracts';
import { waitFor } from '../../lib/wait';
import { consumersOf } from '../../contracts/topology';
import { AppProcess } from '../faults/app-process';
import { expectInvariantsExplained } from '../faults/checks';
import { CARDS } from '../support/api';
import { captureLogs } from '../support/captured-logs';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { recording, type Published } from '../support/recording-broker';
import { startTestSystem, type TestSystem } from '../support/system';
import { serviceNames } from '../../contracts/services';
import { OtlpCollector } from '../telemetry/otlp-collector';
import { CALLER, callerTraceparent, placeTracedOrder } from '../telemetry/traced-order';
import packageJson from '../../package.json' with { type: 'json' };

/** W3C trace context from the POST that places an order through every message of its saga. */

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

  it('carries the traceparent and tracestate of the POST in every message of its saga, a span per handling', async () => {
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
      traceparent: callerTraceparent,
      tracestate: CALLER.tracestate,
    });
    expect((await api.settled(buyer.token, placed.body.id)).status).toBe('CONFIRMED');
    await expectInvariants(system);

    const messages = messagesOf(published, placed.body.id);
    expect(new Set(messages.map((m) => m.message.producer))).toEqual(new Set(serviceNames));
    for (const { message, traceId, flags } of messages)
      expect({ type: message.type, traceId, flags, tracestate: message.tracestate }).toEqual({
        type: message.type,
        traceId: CALLER.traceId,
        flags: '01',
        tracestate: CALLER.tracestate,
      });
    // The POST is a span under the caller's; each handling a span of its own, whose messages share it.
    const spanOf = new Map<string | null, Set<string>>();
    for (const { message, spanId } of messages)
      spanOf.set(message.causationId, (spanOf.get(message.causationId) ?? new Set()).add(spanId!));
    expect([...spanOf.values()].every((spans) => spans.size === 1)).toBe(true);
    const spans = [...spanOf.values()].map((set) => [...set][0]);
    expect(new Set(spans).size).toBe(spans.length);
    expect(spans).not.toContain(CALLER.spanId);
  });

  it('continues the caller’s tracestate in what the saga sends on its own: at a deadline, for an operator’s cancel', async () => {
    let published: Published[] = [];
    let faults!: FaultyBroker;
    system = await startTestSystem('in-process', {
      env: { SAGA_STEP_TIMEOUTS_MS: 'verifyUser=300' },
      // The first order's UserVerified never arrives: its saga gives up at the deadline and releases the stock.
      wrapBroker: (broker) => {
        faults = withFaults(broker, { seed: 1, drop: { types: ['UserVerified'], limit: 1 } });
        const recorder = recording(faults);
        published = recorder.published;
        return recorder;
      },
    });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 900, stock: 5 });
    const traced = { traceparent: callerTraceparent, tracestate: CALLER.tracestate };
    const order = () => api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.settles, traced);
    const timedOut = (await order()).body.id;
    expect(await api.settled(buyer.token, timedOut)).toMatchObject({ status: 'CANCELLED', reason: 'STEP_TIMEOUT' });

    // The second waits on its payment, the payments service held, until an operator cancels it.
    faults.pause('payments');
    const cancelled = (await order()).body.id;
    const admin = await api.adminToken();
    // Not found until the orchestrator has taken the order.
    const sagaOf = async () =>
      (await api.call<{ state?: { steps?: Record<string, string> } }>('GET', `/sagas/${cancelled}`, { token: admin }))
        .body;
    await waitFor(async () => (await sagaOf())?.state?.steps?.settlePayment === 'pending', {
      what: 'the saga to ask for the payment',
    });
    const acted = await api.call('POST', `/sagas/${cancelled}/cancel`, {
      token: admin,
      body: { reason: 'the customer called' },
    });
    expect(acted.body).toMatchObject({ status: 'COMPENSATING', sent: ['ReleaseStock'] });
    faults.resume('payments');
    expect(await api.settled(buyer.token, cancelled)).toMatchObject({
      status: 'CANCELLED',
      reason: 'CANCELLED_BY_OPERATOR',
    });
    await expectInvariants(system);

    // Each ReleaseStock is sent by no message, under the span that started its saga, with its tracestate.
    for (const orderId of [timedOut, cancelled]) {
      const messages = messagesOf(published, orderId);
      expect(messages.map((m) => m.message.type)).toContain('ReleaseStock');
      for (const { message, traceId } of messages)
        expect({ type: message.type, traceId, tracestate: message.tracestate }).toEqual({
          type: message.type,
          traceId: CALLER.traceId,
          tracestate: CALLER.tracestate,
        });
    }
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
    // A trace started here has no tracestate to carry.
    for (const { message, traceId } of messages)
      expect({ type: message.type, traceId, tracestate: message.tracestate }).toEqual({
        type: message.type,
        traceId: request!.traceId,
        tracestate: undefined,
      });
  });
});

describe('with an OpenTelemetry collector (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let collector: OtlpCollector | undefined;
  let app: AppProcess | undefined;
  afterEach(async () => {
    await app?.kill();
    await collector?.close();
  });

  it('receives one trace per saga, each span under its sender, named by its service, with the tracestate', async () => {
    collector = await OtlpCollector.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'otel-'));
    const apiKey = 'collector-api-key-0123456789';
    app = await AppProcess.start({
      dataDir,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${apiKey}`,
        INSTANCE_ID: 'otel-instance-1',
        LOG_LEVEL: 'info',
      },
    });
    const bought = await placeTracedOrder(app);
    // SIGTERM flushes the spans still batched before the process goes.
    expect((await app.signal('SIGTERM')).exit).toBe('0');

    expect(collector.posts.map(({ path, headers }) => ({ path, apiKey: headers['x-api-key'] }))).toContainEqual({
      path: '/v1/traces',
      apiKey,
    });
    expect(new Set(collector.posts.map(({ path }) => path))).toEqual(new Set(['/v1/traces']));
    const saga = collector.trace(CALLER.traceId);
    const post = saga.find((span) => span.name === 'POST /orders');
    expect(post?.parentSpanId).toBe(CALLER.spanId);
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
    for (const span of saga.filter((each) => each !== post)) expect(ids.has(span.parentSpanId!), span.name).toBe(true);
    expect(saga.find((span) => span.name === 'process OrderRequested')?.parentSpanId).toBe(post!.spanId);

    // Each handling is its service's span, the request the all-in-one's; every one continues the caller's tracestate.
    for (const span of saga) {
      const type = /^process (\w+)$/.exec(span.name)?.[1] as Message['type'] | undefined;
      expect({ name: span.name, traceState: span.traceState, ...span.resource }).toMatchObject({
        name: span.name,
        traceState: CALLER.tracestate,
        'service.name': type ? `saga-shop-${consumersOf(type)[0]}` : 'saga-shop',
        'service.instance.id': 'otel-instance-1',
        'service.version': packageJson.version,
      });
    }
    // One line names where the spans go and as whom, and no line the API key.
    const started = app.logLinesOfThisRun().find((line) => line.msg === 'sending spans to an OpenTelemetry collector');
    expect(started?.url).toBe(`${collector.url}/v1/traces`);
    expect(new Set(started?.serviceNames as string[])).toEqual(
      new Set(['saga-shop', ...serviceNames.map((service) => `saga-shop-${service}`)]),
    );
    expect(app.logTail(2000)).not.toContain(apiKey);
    // The SDK changes nothing of what the saga did.
    await expectInvariantsExplained({ dataDir, received: new Map([[bought.productId, bought.stock]]) });
  });
});
