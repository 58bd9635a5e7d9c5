import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceName } from '../../contracts';
import type { Broker, BrokerOptions, Delivery } from '../broker';
import { waitFor } from '../../lib/wait';
import { deadLetterContract } from './dead-letters.contract';
import type { BrokerFactory } from './open-broker';
import { retryContract } from './retry.contract';
import { queueNames, subscriptions } from '../../contracts/topology';

const body = (value: Record<string, unknown>) => JSON.stringify(value);

/** Behaviour every Broker adapter must have; each adapter's test file runs it against its own factory. */
export function brokerContract(name: string, makeBroker: BrokerFactory): void {
  describe(`${name} broker contract`, { timeout: 30_000 }, () => {
    const opened: Array<{ broker: Broker; cleanup: () => Promise<void> }> = [];

    async function open(options: BrokerOptions = {}): Promise<Broker> {
      const made = await makeBroker(options);
      opened.push(made);
      return made.broker;
    }

    afterEach(async () => {
      for (const { broker, cleanup } of opened.splice(0)) {
        await broker.close();
        await cleanup();
      }
    });

    it('routes each message type to exactly the queues bound to it', async () => {
      const broker = await open();
      const received = new Map<ServiceName, Delivery[]>(queueNames.map((queue) => [queue, []]));
      for (const queue of queueNames) {
        await broker.consume(queue, async (delivery) => {
          received.get(queue)!.push(delivery);
          delivery.ack();
        });
      }
      const types = [...new Set(queueNames.flatMap((queue) => subscriptions[queue]))];
      for (const type of types) await broker.publish(type, body({ type }));
      // A queue delivers in publish order, so once every queue has its end marker, nothing
      // published before it can still be on its way to any queue.
      const end = body({ end: true });
      for (const queue of queueNames) await broker.publish(subscriptions[queue][0], end);
      await waitFor(() => queueNames.every((queue) => received.get(queue)!.some((d) => d.payload === end)), {
        what: 'end markers',
      });

      const routed = (queue: ServiceName) => received.get(queue)!.filter((d) => d.payload !== end);
      const reached = (type: string) => queueNames.filter((queue) => routed(queue).some((d) => d.routingKey === type));
      expect(reached('ReserveStock')).toEqual(['products']);
      expect(reached('OrderRequested')).toEqual(['orchestrator']);
      for (const queue of queueNames) {
        expect(
          routed(queue)
            .map((d) => d.routingKey)
            .sort(),
          queue,
        ).toEqual([...subscriptions[queue]].sort());
        for (const delivery of routed(queue)) expect(delivery.payload).toBe(body({ type: delivery.routingKey }));
      }
    });

    it('delivers a published message once and, once acked, not again', async () => {
      // With one delivery in flight at most, the second message can only arrive after the first is acked.
      const broker = await open({ prefetch: 1 });
      const seen: Delivery[] = [];
      await broker.consume('products', async (delivery) => {
        seen.push(delivery);
        delivery.ack();
      });
      await broker.publish('ReserveStock', body({ n: 1 }));
      await broker.publish('ReserveStock', body({ n: 2 }));
      await waitFor(() => seen.length >= 2, { what: 'two deliveries' });

      expect(seen.map((d) => d.payload)).toEqual([body({ n: 1 }), body({ n: 2 })]);
      expect(seen.map((d) => d.redelivered)).toEqual([false, false]);
      expect(seen.map((d) => d.routingKey)).toEqual(['ReserveStock', 'ReserveStock']);
    });

    it('redelivers a requeued message, flagged as redelivered', async () => {
      const broker = await open();
      const seen: Delivery[] = [];
      await broker.consume('payments', async (delivery) => {
        seen.push(delivery);
        if (seen.length === 1) delivery.requeue();
        else delivery.ack();
      });
      await broker.publish('SettlePayment', body({ n: 1 }));
      await waitFor(() => seen.length >= 2, { what: 'redelivery' });

      expect(seen.map((d) => d.payload)).toEqual([body({ n: 1 }), body({ n: 1 })]);
      expect(seen.map((d) => d.redelivered)).toEqual([false, true]);
      expect(seen[1]!.routingKey).toBe('SettlePayment');
    });

    it('dead-letters with the reason, keeps dead letters inspectable, and goes on delivering', async () => {
      const broker = await open({ prefetch: 1 });
      const deliveries: string[] = [];
      const handled: string[] = [];
      await broker.consume('users', async (delivery) => {
        deliveries.push(delivery.payload);
        const message = JSON.parse(delivery.payload) as { n: number; poison?: boolean };
        if (message.poison) return delivery.deadLetter(`poison ${message.n}`);
        handled.push(delivery.payload);
        delivery.ack();
      });
      await broker.publish('VerifyUser', body({ n: 1, poison: true }));
      await broker.publish('VerifyUser', body({ n: 2, poison: true }));
      await broker.publish('VerifyUser', body({ n: 3 }));
      await waitFor(() => handled.length === 1, { what: 'the message after the poison ones' });
      await waitFor(async () => (await broker.deadLetters('users')).length === 2, { what: 'two dead letters' });

      const letters = await broker.deadLetters('users');
      expect(letters).toEqual([
        {
          id: expect.any(String),
          queue: 'users',
          routingKey: 'VerifyUser',
          payload: body({ n: 1, poison: true }),
          reason: 'poison 1',
          attempts: 1,
          deadLetteredAt: expect.any(String),
        },
        {
          id: expect.any(String),
          queue: 'users',
          routingKey: 'VerifyUser',
          payload: body({ n: 2, poison: true }),
          reason: 'poison 2',
          attempts: 1,
          deadLetteredAt: expect.any(String),
        },
      ]);
      expect(letters[0]!.id).not.toBe(letters[1]!.id);
      for (const letter of letters) expect(new Date(letter.deadLetteredAt).toISOString()).toBe(letter.deadLetteredAt);
      expect(await broker.deadLetters('users'), 'reading dead letters leaves them in place').toEqual(letters);
      expect(await broker.deadLetters('orders')).toEqual([]);
      expect(deliveries, 'a dead-lettered message is not delivered again').toHaveLength(3);
    });

    it('keeps at most `prefetch` deliveries unacked', async () => {
      const prefetch = 3;
      const total = 10;
      const broker = await open({ prefetch });
      const held: Delivery[] = [];
      let delivered = 0;
      let maxInFlight = 0;
      await broker.consume('orders', async (delivery) => {
        delivered++;
        held.push(delivery);
        maxInFlight = Math.max(maxInFlight, held.length);
      });
      for (let n = 0; n < total; n++) await broker.publish('OrderConfirmed', body({ n }));
      await waitFor(() => held.length >= prefetch, { what: 'a full prefetch window' });
      // Proving that nothing more arrives needs an observation window; it can only hide a bug, never fake one.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(held).toHaveLength(prefetch);

      for (let acked = 0; acked < total; acked++) {
        await waitFor(() => held.length > 0, { what: `delivery ${acked + 1}` });
        held.shift()!.ack();
      }
      expect(delivered).toBe(total);
      expect(maxInFlight).toBe(prefetch);
    });

    it('reports unroutable messages to onUnroutable, and only those', async () => {
      const unroutable: string[] = [];
      const broker = await open({ onUnroutable: (routingKey) => unroutable.push(routingKey) });
      const seen: string[] = [];
      await broker.consume('orchestrator', async (delivery) => {
        seen.push(delivery.routingKey);
        delivery.ack();
      });
      await broker.publish('NoSuchMessageType', body({}));
      await broker.publish('OrderRequested', body({}));
      await waitFor(() => unroutable.length > 0 && seen.length > 0, { what: 'the return and the delivery' });

      expect(unroutable).toEqual(['NoSuchMessageType']);
      expect(seen).toEqual(['OrderRequested']);
    });

    it('gives a message back when its handler throws without settling it', async () => {
      const broker = await open();
      const seen: Delivery[] = [];
      await broker.consume('users', async (delivery) => {
        seen.push(delivery);
        if (seen.length === 1) throw new Error('handler crashed');
        delivery.ack();
      });
      await broker.publish('VerifyUser', body({ n: 1 }));
      await waitFor(() => seen.length >= 2, { what: 'the redelivery after a crash' });
      expect(seen.map((d) => d.redelivered)).toEqual([false, true]);
    });

    retryContract(open);
    deadLetterContract(open);

    it('closes idempotently and refuses to publish afterwards', async () => {
      const broker = await open();
      await broker.close();
      await broker.close();
      await expect(broker.publish('ReserveStock', body({}))).rejects.toThrow();
    });
  });
}
