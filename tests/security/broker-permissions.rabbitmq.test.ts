import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, messageTypes } from '../../contracts';
import { names } from '../../broker/rabbitmq/topology';
import { publications, queueNames } from '../../contracts/topology';
import {
  attempt,
  connectAs,
  publish,
  setupCli,
  setUpLeastPrivilege,
  type LeastPrivilege,
  type Outcome,
} from '../support/least-privilege';

/**
 * `npm run broker:setup` on the real broker: each service's user may publish only the
 * types it owns and read only its own queue, and every way around that is refused by
 * RabbitMQ itself (403 ACCESS_REFUSED, naming the resource and the user).
 */
describe('least privilege on RabbitMQ', () => {
  let setup: LeastPrivilege;
  let topology: ReturnType<typeof names>;
  const connections = new Map<string, ChannelModel>();
  const as = async (role: Parameters<typeof connectAs>[1]) => {
    if (!connections.has(role)) connections.set(role, await connectAs(setup, role));
    return connections.get(role)!;
  };
  const refused = (resource: string, role: string): Outcome => ({
    code: 403,
    message: expect.stringMatching(
      new RegExp(`ACCESS_REFUSED - .*${resource}.* refused for user '${setup.username[role as 'orders']}'`),
    ),
  });

  beforeAll(async () => {
    setup = await setUpLeastPrivilege();
    topology = names(setup.namespace);
  }, 180_000);
  afterAll(async () => {
    for (const model of connections.values()) await model.close();
    await setup?.remove();
  });

  it('refuses the orders user a forged PaymentSettled, which the payments user may send', async () => {
    const orderId = randomUUID();
    const forged = JSON.stringify(
      envelope(
        {
          type: 'PaymentSettled',
          data: { orderId, paymentId: randomUUID(), invoiceId: randomUUID(), amountCents: 100 },
        },
        { producer: 'payments', correlationId: orderId, causationId: null },
      ),
    );
    const orders = await as('orders');
    const orchestratorQueue = async () => {
      const channel = await orders.createChannel();
      // A passive declaration needs no permission: it only counts the messages.
      const { messageCount } = await channel.checkQueue(topology.queue('orchestrator'));
      await channel.close();
      return messageCount;
    };

    expect(await attempt(orders, publish(topology.exchange, 'PaymentSettled', forged))).toEqual(
      refused(`topic 'PaymentSettled' in exchange '${topology.exchange}'`, 'orders'),
    );
    expect(await orchestratorQueue()).toBe(0);

    // The same bytes from their owner are accepted and routed: the refusal was the permission.
    expect(await attempt(await as('payments'), publish(topology.exchange, 'PaymentSettled', forged))).toBe('accepted');
    expect(await orchestratorQueue()).toBe(1);
  });

  it('lets each service publish exactly the message types it owns, and no other', async () => {
    for (const service of queueNames) {
      const model = await as(service);
      for (const type of messageTypes) {
        const outcome = await attempt(model, publish(topology.exchange, type, '{}'));
        if ((publications[service] as readonly string[]).includes(type))
          expect(outcome, `${service} ${type}`).toBe('accepted');
        else expect(outcome, `${service} ${type}`).toEqual(refused(`topic '${type}'`, service));
      }
    }
  });

  it('closes every way around the topic permissions', async () => {
    const orders = await as('orders');
    const ways: [string, Parameters<typeof attempt>[1], string][] = [
      // The default exchange reaches every queue by name.
      [
        'publish straight into the orchestrator queue',
        publish('', topology.queue('orchestrator'), '{}'),
        `exchange 'amq.default'`,
      ],
      [
        'publish into payments’ own exchange',
        publish(topology.serviceExchange('payments'), topology.queue('payments'), '{}'),
        `exchange '${topology.serviceExchange('payments')}'`,
      ],
      ['publish through amq.topic', publish('amq.topic', 'PaymentSettled', '{}'), `exchange 'amq.topic'`],
      [
        'consume the orchestrator queue',
        (channel) => channel.consume(topology.queue('orchestrator'), () => {}),
        `queue '${topology.queue('orchestrator')}'`,
      ],
      [
        'read the payments dead letters',
        (channel) => channel.get(topology.deadLetterQueue('payments')),
        `queue '${topology.deadLetterQueue('payments')}'`,
      ],
      [
        'read its own dead letters (the operator’s job)',
        (channel) => channel.get(topology.deadLetterQueue('orders')),
        `queue '${topology.deadLetterQueue('orders')}'`,
      ],
      [
        'bind its queue to PaymentSettled',
        (channel) => channel.bindQueue(topology.queue('orders'), topology.exchange, 'PaymentSettled'),
        `queue '${topology.queue('orders')}'`,
      ],
      // Binding its own exchange into the events exchange would relay any routing key.
      [
        'bind its exchange into the events exchange',
        (channel) => channel.bindExchange(topology.exchange, topology.serviceExchange('orders'), '#'),
        `exchange '${topology.serviceExchange('orders')}'`,
      ],
      ['declare a queue', (channel) => channel.assertQueue(`${setup.namespace}.spy`), `queue '${setup.namespace}.spy'`],
      [
        'delete the events exchange',
        (channel) => channel.deleteExchange(topology.exchange),
        `exchange '${topology.exchange}'`,
      ],
    ];
    for (const [what, use, resource] of ways)
      expect(await attempt(orders, use), what).toEqual(refused(resource, 'orders'));

    // What the service needs still works.
    expect(await attempt(orders, (channel) => channel.consume(topology.queue('orders'), () => {}))).toBe('accepted');
    expect(
      await attempt(orders, publish(topology.serviceExchange('orders'), topology.deadLetterQueue('orders'), '{}')),
    ).toBe('accepted');
  });

  it('lets the operator read dead letters and replay them, and nothing else', async () => {
    const operator = await as('operator');
    for (const service of queueNames) {
      expect(await attempt(operator, (channel) => channel.get(topology.deadLetterQueue(service))), service).toBe(
        'accepted',
      );
      expect(
        await attempt(operator, publish(topology.serviceExchange(service), topology.queue(service), '{}')),
        service,
      ).toBe('accepted');
    }
    expect(await attempt(operator, publish(topology.exchange, 'PaymentSettled', '{}'))).toEqual(
      refused(`exchange '${topology.exchange}'`, 'operator'),
    );
    expect(await attempt(operator, (channel) => channel.get(topology.queue('payments')))).toEqual(
      refused(`queue '${topology.queue('payments')}'`, 'operator'),
    );
  });

  it('setup names the variables it is missing and can run again over what it made', async () => {
    const { BROKER_URL_PAYMENTS: _omitted, ...withoutPayments } = setup.env;
    await expect(setupCli({ ...withoutPayments, BROKER_URL_PAYMENTS: '' })).rejects.toMatchObject({
      stderr: expect.stringContaining('set BROKER_URL_PAYMENTS'),
    });
    expect(await setupCli(setup.env)).toContain(`vhost ${setup.vhost}, namespace ${setup.namespace}`);

    // For a node to load at boot (docker-compose.yml): the same definitions, readable by their owner only.
    const file = join(await mkdtemp(join(tmpdir(), 'broker-setup-')), 'definitions.json');
    await setupCli(setup.env, ['--output', file]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const written = await readFile(file, 'utf8');
    expect(JSON.parse(written).users.map((user: { name: string }) => user.name)).toEqual(
      expect.arrayContaining(Object.values(setup.username)),
    );
    for (const url of Object.values(setup.url)) expect(written).not.toContain(new URL(url).password);
    await rm(dirname(file), { recursive: true });
  }, 120_000);
});
