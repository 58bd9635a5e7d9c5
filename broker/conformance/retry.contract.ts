import { expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import type { Delivery } from '../broker';
import type { OpenBroker } from './open-broker';

interface Seen {
  n: number;
  attempt: number;
  routingKey: string;
  redelivered: boolean;
  at: number;
}

const record = (n: number, { attempt, routingKey, redelivered }: Delivery): Seen => ({
  n,
  attempt,
  routingKey,
  redelivered,
  at: Date.now(),
});

// Timers may fire a millisecond early, and clocks tick in whole milliseconds.
const CLOCK_SLACK_MS = 5;

/** Retries: part of the broker contract, run by `brokerContract` against each adapter. */
export function retryContract(open: OpenBroker): void {
  it('retries a delivery after its delay with attempt + 1, while the other messages pass it', async () => {
    // One delivery in flight at most: the others can only pass if the pending retry holds nothing.
    const broker = await open({ prefetch: 1 });
    const delays = [150, 300];
    const seen: Seen[] = [];
    await broker.consume('products', async (delivery) => {
      const { n } = JSON.parse(delivery.payload) as { n: number };
      seen.push(record(n, delivery));
      const delay = delays[delivery.attempt - 1];
      if (n === 1 && delay !== undefined) await delivery.retry(delay, `busy on attempt ${delivery.attempt}`);
      else delivery.ack();
    });
    for (const n of [1, 2, 3]) await broker.publish('ReserveStock', JSON.stringify({ n }));
    await waitFor(() => seen.length >= 5, { what: 'two retries' });

    expect(seen.map(({ n, attempt }) => [n, attempt])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [1, 2],
      [1, 3],
    ]);
    expect(seen.every((d) => d.routingKey === 'ReserveStock' && !d.redelivered)).toBe(true);
    const [first, , , second, third] = seen;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(delays[0]! - CLOCK_SLACK_MS);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(delays[1]! - CLOCK_SLACK_MS);
  });

  it('keeps a requeued retry at its attempt, flagged as redelivered', async () => {
    const broker = await open();
    const seen: Seen[] = [];
    await broker.consume('payments', async (delivery) => {
      seen.push(record(0, delivery));
      if (seen.length === 1) await delivery.retry(0, 'once more');
      else if (seen.length === 2) delivery.requeue();
      else delivery.ack();
    });
    await broker.publish('SettlePayment', '{}');
    await waitFor(() => seen.length >= 3, { what: 'the retry and its redelivery' });
    expect(seen.map(({ attempt, redelivered }) => [attempt, redelivered])).toEqual([
      [1, false],
      [2, false],
      [2, true],
    ]);
  });

  it('postpones a delivery after its delay with its attempt unchanged, while the other messages pass it', async () => {
    const broker = await open({ prefetch: 1 });
    const delayMs = 150;
    const seen: Seen[] = [];
    await broker.consume('users', async (delivery) => {
      const { n } = JSON.parse(delivery.payload) as { n: number };
      seen.push(record(n, delivery));
      if (n === 1 && seen.length === 1) await delivery.postpone(delayMs, 'database unavailable');
      else delivery.ack();
    });
    for (const n of [1, 2]) await broker.publish('VerifyUser', JSON.stringify({ n }));
    await waitFor(() => seen.length >= 3, { what: 'the postponed delivery' });

    expect(seen.map(({ n, attempt }) => [n, attempt])).toEqual([
      [1, 1],
      [2, 1],
      [1, 1],
    ]);
    expect(seen[2]!.at - seen[0]!.at).toBeGreaterThanOrEqual(delayMs - CLOCK_SLACK_MS);
    expect(seen[2]!.routingKey).toBe('VerifyUser');
  });
}
