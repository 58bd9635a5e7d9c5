import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';
import { serviceNames } from '../../contracts/services';

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

    const scrape = async () => {
      const response = await system.app.request('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return samples(await response.text());
    };
    await waitFor(
      async () => (await scrape()).get('shop_messages_total{queue="users",type="VerifyUser",outcome="invalid"}') === 1,
      {
        what: 'the invalid message counted',
      },
    );
    const metrics = await scrape();
    expect(
      Object.fromEntries(
        [...metrics]
          .filter(([name]) => !/_bucket|_sum/.test(name))
          .filter(([name]) =>
            /sagas|step_duration_seconds_count|saga_duration_seconds_count|outbox|messages_total\{queue="payments"|route="\/orders",status/.test(
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
        ]),
      ),
      shop_sagas_in_flight: 0,
    });
  });
});
