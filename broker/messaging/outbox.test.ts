import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../lib/logger';
import { envelope } from '../../contracts';
import { openDatabase, type OpenedDatabase } from '../../db/sqlite';
import * as schema from '../../services/payments/schema';
import { decorate } from '../../tests/support/decorate';
import { waitFor } from '../../lib/wait';
import type { Broker } from '../broker';
import { InProcessBroker } from '../in-process/in-process';
import { enqueue, outbox, OutboxRelay } from './outbox';

// Any service's database carries the outbox; payments' will do.
const migrations = join(import.meta.dirname, '../../services/payments/migrations');

describe('the outbox relay', () => {
  let dir: string;
  let database: OpenedDatabase<typeof schema>;
  let broker: InProcessBroker;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    database = openDatabase(join(dir, 'payments.db'), schema, migrations);
    broker = new InProcessBroker({ file: join(dir, 'broker.db') });
  });
  afterEach(async () => {
    await broker.close();
    database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('tries a failed publish again within milliseconds, not at the next poll', async () => {
    let failuresLeft = 3;
    const flaky: Broker = decorate(broker, {
      async publish(routingKey: string, payload: string) {
        if (failuresLeft-- > 0) throw new Error('broker unreachable');
        await broker.publish(routingKey, payload);
      },
    });
    const relay = new OutboxRelay(database.db, flaky, logger, { pollMs: 60_000 });
    const orderId = randomUUID();
    const refunded = envelope(
      { type: 'PaymentRefunded', data: { orderId, paymentId: null, amountCents: 0 } },
      { producer: 'payments', correlationId: orderId, causationId: null },
    );
    database.db.transaction((tx) => enqueue(tx, [refunded]));
    relay.start();

    // Three failures and then the publish, long before the 60 s poll would have come round.
    await waitFor(() => database.db.select().from(outbox).all().length === 0, {
      timeoutMs: 5_000,
      what: 'the publish',
    });
    expect(failuresLeft).toBe(-1);
    await relay.stop();
  });
});
