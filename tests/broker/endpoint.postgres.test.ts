import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { envelope, type Message } from '../../contracts';
import type { Database } from '../../db/database';
import { openPostgres } from '../../db/postgres';
import { logger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { paymentsPostgres } from '../../services/payments/postgres/store';
import type { PaymentsStore } from '../../services/payments/store';
import { decorate } from '../support/decorate';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import type { Broker } from '../../broker/broker';
import { InProcessBroker } from '../../broker/in-process/in-process';
import { Endpoint } from '../../broker/messaging/endpoint';
import { defaultRetryPolicy } from '../../broker/messaging/retry-policy';

let dir: string;
let scratch: ScratchPostgres;
let database: Database<PaymentsStore>;
let broker: InProcessBroker;
let endpoint: Endpoint<'payments', PaymentsStore>;
const published: { message: Message; at: number }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'endpoint-pg-'));
  scratch = await scratchPostgres();
  database = await openPostgres({ url: scratch.url, schema: 'payments' }, paymentsPostgres);
  broker = new InProcessBroker({ file: join(dir, 'broker.db') });
  const recorded = decorate<object>(broker, {
    async publish(routingKey: string, payload: string) {
      published.push({ message: JSON.parse(payload) as Message, at: Date.now() });
      await broker.publish(routingKey, payload);
    },
  }) as Broker;
  endpoint = new Endpoint('payments', 'payments-1', database, recorded, logger, defaultRetryPolicy);
  endpoint.relay.start();
});
afterEach(async () => {
  await endpoint.stop();
  await broker.close();
  await database.close();
  await scratch.drop();
  await rm(dir, { recursive: true, force: true });
  published.length = 0;
});

it('publishes what a transaction sent as soon as it commits, not at the relay’s next poll', async () => {
  const orderId = randomUUID();
  const refunded = envelope(
    { type: 'PaymentRefunded', data: { orderId, paymentId: null, amountCents: 0 } },
    { producer: 'payments', correlationId: orderId, causationId: null },
  );
  let committedAt = 0;
  await database.transaction(async (store) => {
    await endpoint.send(store, [refunded]);
    // The commit comes well after the send: a relay woken by the send would find nothing yet.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  committedAt = Date.now();

  await waitFor(() => published.length === 1, { timeoutMs: 2_000, what: 'the message to be published' });
  expect(published[0]!.message).toMatchObject({ messageId: refunded.messageId, instance: 'payments-1' });
  // The relay's poll is a second: this is the wake after the commit.
  expect(published[0]!.at - committedAt).toBeLessThan(300);
});
