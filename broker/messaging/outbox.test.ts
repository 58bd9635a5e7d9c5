import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../lib/logger';
import { envelope } from '../../contracts';
import { openSqlite } from '../../db/sqlite';
import { paymentsSqlite } from '../../services/payments/sqlite/store';
import { decorate } from '../../tests/support/decorate';
import { waitFor } from '../../lib/wait';
import type { Broker } from '../broker';
import { InProcessBroker } from '../in-process/in-process';
import { enqueue, OutboxRelay } from './outbox';
import { outbox } from './sqlite/tables';

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
});
