import { randomUUID } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { urlVariable } from '../../broker/operator/rabbitmq-permissions';
import { HEADER, names } from '../../broker/rabbitmq/topology';
import { queueNames } from '../../contracts/topology';
import { rabbitmqctl } from '../support/rabbitmqctl';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { attempt, connectAs, publish, setUpLeastPrivilege, type LeastPrivilege } from '../support/least-privilege';
import { startTestSystem, type TestSystem } from '../support/system';
import { dlq } from '../support/dlq-cli';
import { waitFor } from '../../lib/wait';

/**
 * The whole system in one process with each service connected as its own least-privilege
 * user (BROKER_URL_<SERVICE>), and the test's broker connected as the operator.
 */
describe('the saga with a RabbitMQ user per service', () => {
  let setup: LeastPrivilege;
  let system: TestSystem;
  beforeAll(async () => {
    setup = await setUpLeastPrivilege();
  }, 180_000);
  afterAll(() => setup?.remove());
  beforeEach(async () => {
    system = await startTestSystem('rabbitmq', {
      env: { ...serviceUrls(setup), BROKER_URL: setup.url.operator, BROKER_NAMESPACE: setup.namespace },
      perServiceBrokers: true,
    });
  });
  afterEach(() => system.stop());

  it('confirms one order and compensates another, each service connected as its own user', async () => {
    const { api } = system;
    expect((await api.call('GET', '/health')).status).toBe(200);
    expect(new Set((await connections(setup.vhost)).map((connection) => connection.user))).toEqual(
      new Set([...queueNames, 'operator'].map((role) => setup.username[role as 'orders'])),
    );

    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 1_000, stock: 10 });
    const paid = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }], CARDS.settles);
    const declined = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 3 }], CARDS.declined);

    expect(await api.settled(buyer.token, paid.body.id)).toMatchObject({ status: 'CONFIRMED', totalCents: 2_000 });
    expect(await api.settled(buyer.token, declined.body.id)).toMatchObject({
      status: 'CANCELLED',
      reason: 'PAYMENT_DECLINED',
    });
    expect(await api.product(mug.id)).toMatchObject({ stock: 8, reserved: 0, sold: 2 });
    const state = await expectInvariants(system);
    expect(state.payments.map((payment) => payment.status).sort()).toEqual(['declined', 'settled']);
    expect(state.invoices).toHaveLength(1);
    for (const service of queueNames) expect(await system.broker.deadLetters(service), service).toEqual([]);
  });

  it('reconnects every service as its own user after RabbitMQ drops their connections', async () => {
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 5 });
    const before = await connections(setup.vhost);
    expect(before).toHaveLength(queueNames.length + 1); // the services and the test's operator
    await rabbitmqctl(['close_all_connections', '--vhost', setup.vhost, '--limit', '100', 'least-privilege test']);

    // Declaring is refused to these users, so reconnecting must check the topology instead.
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }], CARDS.settles);
    expect(await api.settled(buyer.token, placed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    await waitFor(async () => (await api.call('GET', '/health')).status === 200, { what: 'every connection back' });
    const after = await connections(setup.vhost);
    expect(new Set(after.map((connection) => connection.user))).toEqual(new Set(before.map((c) => c.user)));
    expect(after.filter((connection) => before.some((c) => c.pid === connection.pid))).toEqual([]);
    expect(await api.product(mug.id)).toMatchObject({ stock: 4, reserved: 0, sold: 1 });
    await expectInvariants(system);
  });

  it('dead-letters what a service passes off as another type, which the operator can see and purge', async () => {
    const topology = names(setup.namespace);
    const orderId = randomUUID();
    const settled = envelope(
      { type: 'PaymentSettled', data: { orderId, paymentId: randomUUID(), invoiceId: randomUUID(), amountCents: 1 } },
      { producer: 'payments', correlationId: orderId, causationId: null },
    );
    const claimsPayments = { ...settled, type: 'OrderCancellationRequested', data: { orderId, requestedBy: orderId } };
    const orders: ChannelModel = await connectAs(setup, 'orders');
    try {
      // Each is a routing key orders may use, so the broker lets them through; the payload lies.
      const forgeries = [
        publish(topology.exchange, 'OrderRequested', JSON.stringify(settled)),
        publish(topology.exchange, 'OrderRequested', JSON.stringify(settled), {
          [HEADER.routingKey]: 'PaymentSettled',
        }),
        publish(topology.exchange, 'OrderCancellationRequested', JSON.stringify(claimsPayments)),
      ];
      for (const forgery of forgeries) expect(await attempt(orders, forgery)).toBe('accepted');
    } finally {
      await orders.close();
    }

    await waitFor(async () => (await system.broker.deadLetters('orchestrator')).length === 3, {
      what: 'three dead letters',
    });
    // The operator's tool, as the operator's user.
    const operator = { BROKER_URL: setup.url.operator, BROKER_NAMESPACE: setup.namespace };
    const listed = await dlq(operator, 'list', '--queue', 'orchestrator', '--json');
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).reason),
    ).toEqual([
      'a PaymentSettled sent with routing key OrderRequested',
      'a PaymentSettled sent with routing key OrderRequested',
      'OrderCancellationRequested comes from orders, not payments',
    ]);
    expect((await dlq(operator, 'purge', '--queue', 'orchestrator', '--yes', '--json')).stdout.trim()).toBe(
      '{"queue":"orchestrator","purged":3}',
    );
    // A service's own URL may not read dead letters, so the tool asks for the operator's.
    const refused = await dlq({ BROKER_URL: '', ...serviceUrls(setup) }, 'list');
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('set BROKER_URL') });
    const state = await expectInvariants(system);
    expect(state.sagas).toEqual([]);
  });
});

/** BROKER_URL_<SERVICE> for every service: each connects as its own user. */
const serviceUrls = (setup: LeastPrivilege) =>
  Object.fromEntries(queueNames.map((service) => [urlVariable(service), setup.url[service]]));

/** The AMQP connections to `vhost`: who, and the broker process serving each. */
async function connections(vhost: string): Promise<{ user: string; pid: string }[]> {
  const out = await rabbitmqctl(['list_connections', '-q', '--formatter', 'json', 'pid', 'user', 'vhost']);
  return (JSON.parse(out) as { pid: string; user: string; vhost: string }[]).filter((c) => c.vhost === vhost);
}
