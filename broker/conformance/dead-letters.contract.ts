import { expect, it } from 'vitest';
import type { ServiceName } from '../../contracts';
import { waitFor } from '../../lib/wait';
import type { Broker, Delivery } from '../broker';
import type { OpenBroker } from './open-broker';
import { queueNames } from '../../contracts/topology';

/**
 * A consumer on `queue` that dead-letters every message carrying `poison` while `fixed` is
 * false, and records every delivery.
 */
async function poisonable(broker: Broker, queue: ServiceName) {
  const state = { fixed: false, deliveries: [] as Delivery[] };
  await broker.consume(queue, async (delivery) => {
    state.deliveries.push(delivery);
    const { poison } = JSON.parse(delivery.payload) as { poison?: boolean };
    if (poison && !state.fixed) await delivery.deadLetter('poisoned');
    else delivery.ack();
  });
  return state;
}

const poison = (n: number) => JSON.stringify({ n, poison: true });
const end = JSON.stringify({ end: true });

/** Dead letters you can act on: part of the broker contract, run by `brokerContract` against each adapter. */
export function deadLetterContract(open: OpenBroker): void {
  it('dead-letters with the attempt count of the last delivery', async () => {
    const broker = await open();
    await broker.consume('orders', async (delivery) => {
      if (delivery.attempt < 3) await delivery.retry(20, 'not yet');
      else await delivery.deadLetter('gave up');
    });
    await broker.publish('OrderConfirmed', '{"n":1}');
    await waitFor(async () => (await broker.deadLetters('orders')).length === 1, { what: 'the dead letter' });
    expect(await broker.deadLetters('orders')).toMatchObject([
      { queue: 'orders', routingKey: 'OrderConfirmed', payload: '{"n":1}', reason: 'gave up', attempts: 3 },
    ]);
  });

  it('replays one dead letter by id to its queue exactly once, as a fresh delivery', async () => {
    const broker = await open();
    const users = await poisonable(broker, 'users');
    for (const n of [1, 2, 3]) await broker.publish('VerifyUser', poison(n));
    await waitFor(async () => (await broker.deadLetters('users')).length === 3, { what: 'three dead letters' });
    const letters = await broker.deadLetters('users');
    users.fixed = true;
    users.deliveries.length = 0;

    expect(await broker.replayDeadLetter(letters[1]!.id)).toEqual(letters[1]);
    // The queue delivers in order: once the marker is in, a second copy of the replay would be too.
    await broker.publish('VerifyUser', end);
    await waitFor(() => users.deliveries.some((d) => d.payload === end), { what: 'the end marker' });

    expect(users.deliveries.map((d) => [d.payload, d.attempt, d.redelivered, d.routingKey])).toEqual([
      [poison(2), 1, false, 'VerifyUser'],
      [end, 1, false, 'VerifyUser'],
    ]);
    expect(await broker.deadLetters('users'), 'the others stay, in order, with their ids').toEqual([
      letters[0],
      letters[2],
    ]);
    expect(await broker.replayDeadLetter(letters[1]!.id), 'replayed already').toBeUndefined();
    expect(await broker.replayDeadLetter('no-such-id')).toBeUndefined();
  });

  it('counts the dead letters of each queue apart, as they come and go', async () => {
    const broker = await open();
    const count = async () =>
      Object.fromEntries(
        await Promise.all(queueNames.map(async (queue) => [queue, await broker.countDeadLetters(queue)])),
      );
    const none = Object.fromEntries(queueNames.map((queue) => [queue, 0]));
    expect(await count()).toEqual(none);

    const users = await poisonable(broker, 'users');
    await poisonable(broker, 'payments');
    for (const n of [1, 2]) await broker.publish('VerifyUser', poison(n));
    await broker.publish('SettlePayment', poison(3));
    await waitFor(async () => (await broker.deadLetters('users')).length === 2, { what: 'the users dead letters' });
    await waitFor(async () => (await broker.deadLetters('payments')).length === 1, { what: 'the payments one' });
    // RabbitMQ counts a message taken back to its queue a moment after the channel that read it closed.
    await expect.poll(count).toEqual({ ...none, users: 2, payments: 1 });

    users.fixed = true;
    const [first] = await broker.deadLetters('users');
    await broker.replayDeadLetter(first!.id);
    await broker.purgeDeadLetters('payments');
    await expect.poll(count).toEqual({ ...none, users: 1 });
  });

  it('replays and purges the dead letters of one queue, leaving the other queues alone', async () => {
    const broker = await open();
    const users = await poisonable(broker, 'users');
    await poisonable(broker, 'payments');
    await broker.publish('VerifyUser', poison(1));
    await broker.publish('VerifyUser', poison(2));
    await broker.publish('SettlePayment', poison(3));
    await waitFor(async () => (await broker.deadLetters('users')).length === 2, { what: 'the users dead letters' });
    await waitFor(async () => (await broker.deadLetters('payments')).length === 1, { what: 'the payments one' });
    const paymentLetters = await broker.deadLetters('payments');
    users.fixed = true;
    users.deliveries.length = 0;

    const replayed = await broker.replayDeadLetters('users');
    expect(replayed.map((letter) => letter.payload)).toEqual([poison(1), poison(2)]);
    await waitFor(() => users.deliveries.length === 2, { what: 'the replayed messages' });
    expect(users.deliveries.map((d) => [d.payload, d.attempt])).toEqual([
      [poison(1), 1],
      [poison(2), 1],
    ]);
    expect(await broker.deadLetters('users')).toEqual([]);
    expect(await broker.deadLetters('payments')).toEqual(paymentLetters);
    expect(await broker.replayDeadLetters('users')).toEqual([]);

    expect(await broker.purgeDeadLetters('users')).toBe(0);
    expect(await broker.purgeDeadLetters('payments')).toBe(1);
    expect(await broker.deadLetters('payments')).toEqual([]);
    expect(await broker.purgeDeadLetters('payments')).toBe(0);
  });
}
