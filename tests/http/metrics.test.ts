import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { changeStore } from '../support/end-state';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';
import { serviceNames } from '../../contracts/services';
import { AppProcess } from '../faults/app-process';
import { freePort } from '../faults/ports';

/** The samples of a Prometheus text page, as `name{labels}` → value. */
function samples(page: string): Map<string, number> {
  return new Map(
    page
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))] as const;
      }),
  );
}

/** The page of GET /metrics on the system's app, checked to be Prometheus's text format. */
async function scrape(system: TestSystem): Promise<Map<string, number>> {
  const response = await system.app.request('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return samples(await response.text());
}

describe('GET /metrics', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('counts the sagas, their steps, the messages and the requests of a scenario', async () => {
    system = await startTestSystem('in-process');
    const { api } = system;
    const buyer = await api.customer('Ann');
    const mug = await api.createProduct({ priceCents: 900, stock: 10 });
    const line = [{ productId: mug.id, quantity: 1 }];
    const confirmed = await api.placeOrder(buyer.token, line, CARDS.settles);
    const declined = await api.placeOrder(buyer.token, line, CARDS.declined);
    await api.settled(buyer.token, confirmed.body.id);
    await api.settled(buyer.token, declined.body.id);
    // A message that breaks its contract: dead-lettered as invalid.
    await system.broker.publish('VerifyUser', 'not json');
    await expectInvariants(system, { deadLettered: { users: 1 } });

    await waitFor(
      async () =>
        (await scrape(system)).get('shop_messages_total{queue="users",type="VerifyUser",outcome="invalid"}') === 1,
      {
        what: 'the invalid message counted',
      },
    );
    const metrics = await scrape(system);
    expect(
      Object.fromEntries(
        [...metrics]
          .filter(([name]) => !/_bucket|_sum/.test(name))
          .filter(([name]) =>
            /sagas|step_duration_seconds_count|saga_duration_seconds_count|outbox|dead_letters|oldest_pending|messages_total\{queue="payments"|route="\/orders",status/.test(
              name,
            ),
          ),
      ),
    ).toEqual({
      shop_sagas_started_total: 2,
      'shop_sagas_ended_total{outcome="CONFIRMED",reason=""}': 1,
      'shop_sagas_ended_total{outcome="CANCELLED",reason="PAYMENT_DECLINED"}': 1,
      'shop_saga_duration_seconds_count{outcome="CONFIRMED"}': 1,
      'shop_saga_duration_seconds_count{outcome="CANCELLED"}': 1,
      'shop_saga_step_duration_seconds_count{step="verifyUser",outcome="succeeded"}': 2,
      'shop_saga_step_duration_seconds_count{step="reserveStock",outcome="succeeded"}': 2,
      'shop_saga_step_duration_seconds_count{step="settlePayment",outcome="succeeded"}': 1,
      'shop_saga_step_duration_seconds_count{step="settlePayment",outcome="failed"}': 1,
      'shop_saga_step_duration_seconds_count{step="commitStock",outcome="succeeded"}': 1,
      'shop_saga_step_duration_seconds_count{step="releaseStock",outcome="succeeded"}': 1,
      'shop_messages_total{queue="payments",type="SettlePayment",outcome="handled"}': 2,
      'shop_http_request_duration_seconds_count{method="POST",route="/orders",status="202"}': 2,
      ...Object.fromEntries(
        serviceNames.flatMap((service) => [
          [`shop_outbox_backlog{service="${service}"}`, 0],
          [`shop_outbox_oldest_age_seconds{service="${service}"}`, 0],
          // The invalid message above, dead-lettered by users.
          [`shop_dead_letters{service="${service}"}`, service === 'users' ? 1 : 0],
        ]),
      ),
      shop_sagas_in_flight: 0,
      shop_saga_oldest_pending_age_seconds: 0,
    });
    // The process's own, from prom-client.
    expect(metrics.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(metrics.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metrics.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('shows the age of the oldest saga not ended, and 0 once it has', async () => {
    let faults: FaultyBroker;
    system = await startTestSystem('in-process', { wrapBroker: (broker) => (faults = withFaults(broker)) });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 900, stock: 10 });
    // Payments is held back: the saga waits for its payment.
    faults!.pause('payments');
    const placed = (await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.settles)).body;
    await waitFor(async () => (await scrape(system)).get('shop_sagas_in_flight') === 1, { what: 'the saga started' });
    // Started an hour ago, as far as the orchestrator's store says.
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await changeStore(
      system,
      'orchestrator',
      (t) => `UPDATE ${t('sagas')} SET started_at = ? WHERE order_id = ?`,
      hourAgo,
      placed.id,
    );

    const age = (await scrape(system)).get('shop_saga_oldest_pending_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(3_600);
    expect(age).toBeLessThan(3_600 + 60);

    faults!.resume('payments');
    expect((await api.settled(buyer.token, placed.id)).status).toBe('CONFIRMED');
    expect((await scrape(system)).get('shop_saga_oldest_pending_age_seconds')).toBe(0);
    await expectInvariants(system);
  });

  it('keeps two systems of one process apart, each page with the process’s series once', async () => {
    system = await startTestSystem('in-process');
    const other = await startTestSystem('in-process');
    try {
      const buyer = await system.api.customer();
      const mug = await system.api.createProduct({ priceCents: 900, stock: 10 });
      const placed = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.settles);
      await system.api.settled(buyer.token, placed.body.id);

      expect((await scrape(system)).get('shop_sagas_started_total')).toBe(1);
      expect((await scrape(other)).get('shop_sagas_started_total')).toBe(0);
      for (const page of await Promise.all([system, other].map((each) => each.app.request('/metrics')))) {
        const lines = (await page.text()).split('\n');
        expect(lines.filter((line) => line.startsWith('# TYPE process_cpu_seconds_total '))).toHaveLength(1);
        expect(lines.filter((line) => line.startsWith('process_cpu_seconds_total '))).toHaveLength(1);
        const types = lines.filter((line) => line.startsWith('# TYPE '));
        expect(new Set(types).size, 'every series once').toBe(types.length);
      }
    } finally {
      await other.stop();
    }
  });
});

describe('METRICS_PORT', () => {
  let app: AppProcess | undefined;
  let dataDir: string;
  afterEach(async () => {
    await app?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves GET /metrics on its own port, and PORT answers 404 there', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'metrics-port-'));
    const metricsPort = await freePort();
    app = await AppProcess.start({ dataDir, env: { METRICS_PORT: String(metricsPort), LOG_LEVEL: 'info' } });

    const page = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = samples(await page.text());
    expect(metrics.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(metrics.get('shop_dead_letters{service="orders"}')).toBe(0);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404);

    const onPort = await fetch(`${app.url}/metrics`);
    expect(onPort.status).toBe(404);
    // Described where it is served, all the same.
    const document = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { summary: string } }>;
    };
    expect(document.paths['/metrics']?.get?.summary).toContain('METRICS_PORT');
    expect(app.logLinesOfThisRun().find((line) => line.msg === 'shop is listening')).toMatchObject({ metricsPort });

    expect(await app.signal('SIGTERM')).toEqual({ exit: '0', orphans: false });
  });
});
