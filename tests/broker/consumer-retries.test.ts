import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { logger } from '../../lib/logger';
import { captureLogs } from '../support/captured-logs';
import { consumeMessages } from '../../broker/messaging/consumer';
import { envelope, type Message } from '../../contracts';
import { transports } from '../support/system';
import { waitFor } from '../../lib/wait';
import { openTestBroker, type TestBroker } from './transports';

const verifyUser = (): Message => {
  const orderId = randomUUID();
  return envelope(
    { type: 'VerifyUser', data: { orderId, userId: randomUUID() } },
    { producer: 'orchestrator', correlationId: orderId, causationId: null },
  );
};

// Timers may fire a millisecond early, and clocks tick in whole milliseconds.
const CLOCK_SLACK_MS = 5;

describe.each(transports)('consumer retries over the %s broker', (transport) => {
  let opened: TestBroker;
  afterEach(() => opened.dispose());

  it('retries a transiently failing handler after growing delays, with one effect', async () => {
    opened = await openTestBroker(transport);
    const { broker } = opened;
    const attemptsAt: number[] = [];
    const effects: string[] = [];
    const policy = { delaysMs: [100, 400], jitter: 0.2 };
    const logs = captureLogs('warn');
    await consumeMessages(
      broker,
      'users',
      (message) => {
        attemptsAt.push(Date.now());
        if (attemptsAt.length <= 2) throw new Error('database is locked');
        effects.push(message.messageId);
      },
      logs.logger,
      policy,
    );
    const message = verifyUser();
    await broker.publish('VerifyUser', JSON.stringify(message));
    await waitFor(() => effects.length > 0, { what: 'the third attempt' });

    expect(effects).toEqual([message.messageId]);
    const [first, second, third] = attemptsAt as [number, number, number];
    const gaps = [second - first, third - second];
    expect(gaps[0]).toBeGreaterThanOrEqual(100 * (1 - policy.jitter) - CLOCK_SLACK_MS);
    expect(gaps[1]).toBeGreaterThanOrEqual(400 * (1 - policy.jitter) - CLOCK_SLACK_MS);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(await broker.deadLetters('users')).toEqual([]);
    // Each retry's line names the saga (correlationId) and the message, for one grep of the order.
    expect(
      logs.parsed().map(({ msg, correlationId, messageId, causationId, attempt }) => ({
        msg,
        correlationId,
        messageId,
        causationId,
        attempt,
      })),
    ).toEqual(
      [1, 2].map((attempt) => ({
        msg: 'message handling failed; will retry',
        correlationId: message.correlationId,
        messageId: message.messageId,
        causationId: null,
        attempt,
      })),
    );
  });

  it('dead-letters an always failing message after its last attempt while the others are handled; replayed after the fix, it succeeds', async () => {
    opened = await openTestBroker(transport);
    const { broker } = opened;
    const poison = verifyUser();
    const others = [verifyUser(), verifyUser(), verifyUser()];
    let fixed = false;
    const poisonAttemptsAt: number[] = [];
    const handled = new Map<string, number>();
    await consumeMessages(
      broker,
      'users',
      (message) => {
        if (message.messageId === poison.messageId && !fixed) {
          poisonAttemptsAt.push(Date.now());
          throw new Error('payment gateway unavailable');
        }
        handled.set(message.messageId, Date.now());
      },
      logger,
      { delaysMs: [100, 200, 400], jitter: 0 },
    );
    for (const message of [poison, ...others]) await broker.publish('VerifyUser', JSON.stringify(message));
    await waitFor(async () => (await broker.deadLetters('users')).length === 1, { what: 'the dead letter' });

    const [letter] = await broker.deadLetters('users');
    expect(letter).toMatchObject({
      queue: 'users',
      routingKey: 'VerifyUser',
      reason: 'handler failed: payment gateway unavailable',
      attempts: 4,
    });
    expect(JSON.parse(letter!.payload)).toEqual(poison);
    expect(poisonAttemptsAt).toHaveLength(4);
    for (const other of others) {
      expect(handled.get(other.messageId), 'handled before the poison message gave up').toBeLessThan(
        poisonAttemptsAt[3]!,
      );
    }

    fixed = true;
    expect(await broker.replayDeadLetter(letter!.id)).toMatchObject({ id: letter!.id });
    await waitFor(() => handled.has(poison.messageId), { what: 'the replayed message' });
    expect(await broker.deadLetters('users')).toEqual([]);
    expect(poisonAttemptsAt).toHaveLength(4);
  });

  it('dead-letters at once, without retrying, a message its handler finds invalid', async () => {
    opened = await openTestBroker(transport);
    const { broker } = opened;
    let attempts = 0;
    await consumeMessages(
      broker,
      'users',
      () => {
        attempts++;
        z.object({ cardToken: z.string() }).parse({});
      },
      logger,
      { delaysMs: [10, 10], jitter: 0 },
    );
    await broker.publish('VerifyUser', JSON.stringify(verifyUser()));
    await waitFor(async () => (await broker.deadLetters('users')).length === 1, { what: 'the dead letter' });
    expect(await broker.deadLetters('users')).toMatchObject([{ attempts: 1, reason: /cardToken/ }]);
    expect(attempts).toBe(1);
  });
});
