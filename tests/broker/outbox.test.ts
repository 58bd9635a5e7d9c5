import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../lib/logger';
import { envelope } from '../../contracts';
import { openSqlite } from '../../db/sqlite';
import { paymentsSqlite } from '../../services/payments/sqlite/store';
import { decorate } from '../support/decorate';
import { waitFor } from '../../lib/wait';
import type { Broker } from '../../broker/broker';
import { InProcessBroker } from '../../broker/in-process/in-process';
import { enqueue, OutboxRelay } from '../../broker/messaging/outbox';
import { outbox } from '../../broker/messaging/sqlite/tables';

// Any service's database carries the outbox; payments' will do.
const open = (file: string) => openSqlite(file, paymentsSqlite);

describe('the outbox relay', () => {
  let dir: string;
  let database: ReturnType<typeof open>;
  let broker: InProcessBroker;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    database = open(join(dir, 'payments.db'));
    broker = new InProcessBroker({ file: join(dir, 'broker.db') });
  });
  afterEach(async () => {
    await broker.close();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  const refunded = () => {
    const orderId = randomUUID();
    return envelope(
      { type: 'PaymentRefunded', data: { orderId, paymentId: null, amountCents: 0 } },
      { producer: 'payments', correlationId: orderId, causationId: null },
    );
  };
  const rowsLeft = () =>
    database.db
      .select()
      .from(outbox)
      .all()
      .map((row) => row.messageId);

  /** A broker whose confirms the test gives, one publish at a time. */
  function heldBroker() {
    const held: { messageId: string; confirm: () => void; fail: (error: Error) => void }[] = [];
    const slow: Broker = decorate(broker, {
      publish: (_routingKey: string, payload: string) =>
        new Promise<void>((confirm, fail) => held.push({ messageId: JSON.parse(payload).messageId, confirm, fail })),
    });
    return { slow, held };
  }

  it('tries a failed publish again within milliseconds, not at the next poll', async () => {
    let failuresLeft = 3;
    const flaky: Broker = decorate(broker, {
      async publish(routingKey: string, payload: string) {
        if (failuresLeft-- > 0) throw new Error('broker unreachable');
        await broker.publish(routingKey, payload);
      },
    });
    const relay = new OutboxRelay(database, flaky, logger, { pollMs: 60_000 });
    await database.transaction((store) => enqueue(store, [refunded()]));
    relay.start();

    // Three failures and then the publish, long before the 60 s poll would have come round.
    await waitFor(() => rowsLeft().length === 0, { timeoutMs: 5_000, what: 'the publish' });
    expect(failuresLeft).toBe(-1);
    await relay.stop();
  });

  it('keeps up to its window unconfirmed, publishes on as confirms come, and deletes what was confirmed', async () => {
    const { slow, held } = heldBroker();
    const relay = new OutboxRelay(database, slow, logger, { pollMs: 60_000, window: 4 });
    const messages = Array.from({ length: 10 }, refunded);
    await database.transaction((store) => enqueue(store, messages));
    relay.start();

    await waitFor(() => held.length === 4, { what: 'a full window' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held.map((p) => p.messageId)).toEqual(messages.slice(0, 4).map((m) => m.messageId));

    // Out of order, as confirms from several queues may come: the window moves on by one each.
    held[2]!.confirm();
    held[0]!.confirm();
    await waitFor(() => held.length === 6, { what: 'the window to move on' });
    await waitFor(() => rowsLeft().length === 8, { what: 'the confirmed rows to go' });
    expect(rowsLeft()).toEqual(messages.filter((_, i) => i !== 0 && i !== 2).map((m) => m.messageId));

    // Stopping waits for the confirms outstanding; a row whose publish failed stays, for the next start.
    const stopped = relay.stop();
    for (const publish of held.slice(3)) publish.confirm();
    held[1]!.fail(new Error('broker closed'));
    await stopped;
    expect(rowsLeft()).toEqual([messages[1], ...messages.slice(6)].map((m) => m!.messageId));
  });

  it('after a failed publish, publishes that row again and what followed it, but nothing confirmed', async () => {
    const { slow, held } = heldBroker();
    const relay = new OutboxRelay(database, slow, logger, { pollMs: 60_000, window: 8, firstRetryMs: 5 });
    const messages = Array.from({ length: 4 }, refunded);
    await database.transaction((store) => enqueue(store, messages));
    relay.start();
    await waitFor(() => held.length === 4, { what: 'every row published' });
    held[0]!.confirm();
    held[1]!.fail(new Error('connection lost'));
    held[2]!.confirm();
    // The retry goes from the failed row on: 1 again, 2 confirmed and deleted meanwhile, 3 again (still unconfirmed).
    await waitFor(() => held.length === 6, { what: 'the retry' });
    expect(held.slice(4).map((p) => p.messageId)).toEqual([messages[1], messages[3]].map((m) => m!.messageId));
    for (const publish of held.slice(3)) publish.confirm();
    await waitFor(() => rowsLeft().length === 0, { what: 'every row confirmed' });
    await relay.stop();
  });

  it('claims again after a claim during which a writer woke it, not at the next poll', async () => {
    // Each claim answers 30 ms after it looked: what commits meanwhile is not in its rows.
    let claims = 0;
    const slowClaims: typeof database = {
      ...database,
      async read(work) {
        const rows = await database.read(work);
        claims++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        return rows;
      },
    };
    const relay = new OutboxRelay(slowClaims, broker, logger, { pollMs: 60_000 });
    database.onCommit(() => relay.wake());
    relay.start();
    await waitFor(() => claims === 1, { what: 'the first claim' });
    await database.transaction((store) => enqueue(store, [refunded()]));
    await waitFor(() => rowsLeft().length === 0, { timeoutMs: 2_000, what: 'the row published, long before the poll' });
    await relay.stop();
  });

  it('ignores wakes while it waits out a failure: a broker that is down is not hammered', async () => {
    let attempts = 0;
    const down: Broker = decorate(broker, {
      async publish() {
        attempts++;
        throw new Error('broker unreachable');
      },
    });
    const relay = new OutboxRelay(database, down, logger, { pollMs: 60_000, firstRetryMs: 60_000 });
    await database.transaction((store) => enqueue(store, [refunded()]));
    relay.start();
    await waitFor(() => attempts === 1, { what: 'the first attempt' });
    for (let i = 0; i < 10; i++) {
      relay.wake();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(attempts).toBe(1);
    // Stopping cuts the wait short; the row stays for the next start.
    await relay.stop();
    expect(rowsLeft()).toHaveLength(1);
  });

  it('publishes again once started after a stop, and nothing confirmed twice', async () => {
    const published: string[] = [];
    const counting: Broker = decorate(broker, {
      async publish(routingKey: string, payload: string) {
        published.push(JSON.parse(payload).messageId);
        await broker.publish(routingKey, payload);
      },
    });
    const relay = new OutboxRelay(database, counting, logger, { pollMs: 60_000 });
    const [first, second] = [refunded(), refunded()];
    await database.transaction((store) => enqueue(store, [first]));
    relay.start();
    await waitFor(() => rowsLeft().length === 0, { what: 'the first row published' });
    await relay.stop();
    await database.transaction((store) => enqueue(store, [second]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rowsLeft(), 'a stopped relay publishes nothing').toEqual([second.messageId]);
    relay.start();
    await waitFor(() => rowsLeft().length === 0, { what: 'the second row published' });
    await relay.stop();
    expect(published).toEqual([first.messageId, second.messageId]);
  });
});
