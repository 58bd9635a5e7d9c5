import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { messagingStoreContract } from '../../broker/messaging/store.contract';
import type { MessagingStore, OutboxRow } from '../../broker/messaging/store';
import { ordersPostgres } from '../../services/orders/postgres/store';
import { ordersStoreContract } from '../../services/orders/store.contract';
import { paymentsPostgres } from '../../services/payments/postgres/store';
import { paymentsStoreContract } from '../../services/payments/store.contract';
import { productsPostgres } from '../../services/products/postgres/store';
import { productsStoreContract } from '../../services/products/store.contract';
import type { ProductRow } from '../../services/products/store';
import { usersPostgres } from '../../services/users/postgres/store';
import { usersStoreContract } from '../../services/users/store.contract';
import { sagaPostgres } from '../../saga/runtime/postgres/store';
import { sagaSearchContract } from '../../saga/runtime/search.contract';
import { sagaStoreContract } from '../../saga/runtime/store.contract';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import type { Database } from '../../db/database';
import { openPostgres, type PostgresStoreParts } from '../../db/postgres';
import { at, iso, type DatabaseFactory } from '../../db/conformance/open-database';

/**
 * The store conformance suite on PostgreSQL: one scratch database for the file, dropped after
 * it; every test on a schema of its own in it, as a service's store is (a fresh, migrated,
 * empty one). Then what only shows with several instances on one database.
 */
let scratch: ScratchPostgres;
beforeAll(async () => {
  scratch = await scratchPostgres();
});
afterAll(async () => {
  await scratch?.drop();
});

let schemas = 0;
const freshSchema = () => `conformance_${++schemas}`;

const onPostgres =
  <TSchema extends Record<string, unknown>, S>(parts: PostgresStoreParts<TSchema, S>): DatabaseFactory<S> =>
  async () => {
    const database = await openPostgres({ url: scratch.url, schema: freshSchema() }, parts, 2);
    return { database, cleanup: () => database.close() };
  };

const stores = {
  users: onPostgres(usersPostgres),
  products: onPostgres(productsPostgres),
  orders: onPostgres(ordersPostgres),
  payments: onPostgres(paymentsPostgres),
  orchestrator: onPostgres(sagaPostgres),
};

for (const [service, factory] of Object.entries(stores)) messagingStoreContract(`PostgreSQL ${service}`, factory);
usersStoreContract('PostgreSQL', stores.users);
productsStoreContract('PostgreSQL', stores.products);
ordersStoreContract('PostgreSQL', stores.orders);
paymentsStoreContract('PostgreSQL', stores.payments);
sagaStoreContract('PostgreSQL', stores.orchestrator);
sagaSearchContract('PostgreSQL', stores.orchestrator);

/** Work that holds its transaction open until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Whether `promise` is still unsettled after `ms`. */
async function stillWaiting(promise: Promise<unknown>, ms = 300): Promise<boolean> {
  const pending = Symbol('pending');
  const first = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((resolve) => setTimeout(() => resolve(pending), ms)),
  ]);
  return first === pending;
}

describe('PostgreSQL: several instances on one database', () => {
  const opened: Database<unknown>[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
  });

  /** Two instances of one service: each its own pool, on the same database and schema. */
  async function twoInstances<TSchema extends Record<string, unknown>, S>(parts: PostgresStoreParts<TSchema, S>) {
    const schema = freshSchema();
    // Opened together, as instances starting at once: the migrations are applied once.
    const instances = await Promise.all([1, 2].map(() => openPostgres({ url: scratch.url, schema }, parts, 4)));
    opened.push(...(instances as Database<unknown>[]));
    return { one: instances[0]!, two: instances[1]!, schema };
  }

  /** Plain SQL on the scratch database, beside the instances. */
  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  const outboxRow = (i: number): Omit<OutboxRow, 'seq'> => ({
    messageId: `m${String(i).padStart(3, '0')}`,
    type: 'PaymentRefunded',
    payload: `{"n":${i}}`,
    createdAt: iso(i),
  });

  describe('two relays sharing an outbox', () => {
    async function filled(rows: number) {
      const instances = await twoInstances(productsPostgres);
      await instances.one.transaction((store) =>
        store.addToOutbox(Array.from({ length: rows }, (_, i) => outboxRow(i))),
      );
      return instances;
    }
    const claim = (database: Database<MessagingStore>, limit: number) =>
      database.read((store) => store.claimOutbox(limit));

    it('never claim the same row, and between them claim every row', async () => {
      const { one, two } = await filled(120);
      const claimedBy = new Map<number, string>();
      const doubles: number[] = [];
      // Each relay claims on its four connections at once, until neither finds anything.
      async function relay(database: Database<MessagingStore>, name: string) {
        for (;;) {
          const batches = await Promise.all([1, 2, 3, 4].map(() => claim(database, 3)));
          const rows = batches.flat();
          for (const row of rows) {
            if (claimedBy.has(row.seq)) doubles.push(row.seq);
            claimedBy.set(row.seq, name);
          }
          if (rows.length === 0) return;
        }
      }
      await Promise.all([relay(one, 'one'), relay(two, 'two')]);
      expect(doubles).toEqual([]);
      expect(claimedBy.size).toBe(120);
      // Both took part (each claims while the other does).
      expect(new Set(claimedBy.values())).toEqual(new Set(['one', 'two']));
      expect(await claim(one, 10)).toEqual([]);
      expect(await claim(two, 10)).toEqual([]);
    });

    it('claim again the rows of a relay whose lease lapsed (it died), oldest first, and only those', async () => {
      const { one, two, schema } = await filled(4);
      const held = await claim(one, 2);
      expect(held.map((row) => row.messageId)).toEqual(['m000', 'm001']);
      const others = await claim(two, 10);
      expect(others.map((row) => row.messageId)).toEqual(['m002', 'm003']);
      expect(await claim(two, 10)).toEqual([]);
      // The relay of `one` dies holding its rows: its lease lapses (set in the past here,
      // rather than waiting for it).
      await query(`UPDATE ${schema}.outbox SET claimed_until = now() - interval '1 second' WHERE seq = ANY($1)`, [
        held.map((row) => row.seq),
      ]);
      expect(await claim(two, 10)).toEqual(held);
      // Claimed anew: held again, by a fresh lease.
      expect(await claim(one, 10)).toEqual([]);
      const [lease] = await query<{ live: boolean }>(
        `SELECT bool_and(claimed_until > now()) AS live FROM ${schema}.outbox WHERE seq = ANY($1)`,
        [held.map((row) => row.seq)],
      );
      expect(lease!.live).toBe(true);
    });

    it('hand a row released by one relay to the other', async () => {
      const { one, two } = await filled(2);
      const rows = await claim(one, 10);
      await one.read((store) => store.releaseOutbox([rows[1]!.seq]));
      expect(await claim(two, 10)).toEqual([rows[1]]);
      await two.transaction((store) => store.removeFromOutbox(rows.map((row) => row.seq)));
      expect(await one.read((store) => store.outboxBacklog())).toEqual({ pending: 0, oldest: null });
    });
  });

  it('hold back a second transaction on the same conversation until the first commits', async () => {
    const { one, two } = await twoInstances(ordersPostgres);
    const release = gate();
    const locked = gate();
    const first = one.transaction(async (store) => {
      await store.lockConversation('order-1');
      await store.recordFirstDelivery({ messageId: 'first', type: 'T', correlationId: 'order-1' }, at(1));
      locked.open();
      await release.opened;
    });
    await locked.opened;
    const steps: string[] = [];
    const second = two.transaction(async (store) => {
      await store.lockConversation('order-1');
      steps.push('second locked');
      // Once it holds the lock, it sees what the first committed.
      return store.recordFirstDelivery({ messageId: 'first', type: 'T', correlationId: 'order-1' }, at(2));
    });
    // Another conversation is not held back.
    expect(
      await two.transaction(async (store) => {
        await store.lockConversation('order-2');
        return store.recordFirstDelivery({ messageId: 'other', type: 'T', correlationId: 'order-2' }, at(2));
      }),
    ).toBe(true);
    expect(await stillWaiting(second)).toBe(true);
    expect(steps).toEqual([]);
    release.open();
    await first;
    expect(await second).toBe(false);
    expect(steps).toEqual(['second locked']);
  });

  it('hold the conversation of a message recorded as handled, as lockConversation does', async () => {
    const { one, two } = await twoInstances(ordersPostgres);
    const release = gate();
    const recorded = gate();
    const first = one.transaction(async (store) => {
      await store.recordFirstDelivery({ messageId: 'first', type: 'T', correlationId: 'order-1' }, at(1));
      recorded.open();
      await release.opened;
    });
    await recorded.opened;
    const second = two.transaction((store) => store.lockConversation('order-1'));
    expect(await stillWaiting(second)).toBe(true);
    release.open();
    await first;
    await second;
  });

  it("hold the products an order reserves: another instance's reservation of them waits, then sees what the first moved", async () => {
    const { one, two } = await twoInstances(productsPostgres);
    const product = (id: string): ProductRow => ({
      id,
      name: id,
      description: id,
      priceCents: 100,
      stock: 5,
      reserved: 0,
      sold: 0,
      received: 5,
      archivedAt: null,
      createdAt: iso(0),
      updatedAt: iso(0),
    });
    await one.transaction(async (store) => {
      await store.insertProduct(product('p1'));
      await store.insertProduct(product('p2'));
    });
    const release = gate();
    const held = gate();
    const first = one.transaction(async (store) => {
      const [row] = await store.productsToReserve(['p1']);
      held.open();
      await release.opened;
      await store.moveUnits('p1', { stock: -row!.stock, reserved: row!.stock }, at(1));
    });
    await held.opened;
    const second = two.transaction((store) => store.productsToReserve(['p1', 'p2']));
    // Another product is not held.
    expect(await two.transaction((store) => store.productsToReserve(['p2']))).toEqual([product('p2')]);
    // A plain read is not held either: it sees the stock as last committed.
    expect((await two.transaction((store) => store.findProduct('p1')))!.stock).toBe(5);
    expect(await stillWaiting(second)).toBe(true);
    release.open();
    await first;
    const rows = await second;
    expect(rows.find((row) => row.id === 'p1')).toMatchObject({ stock: 0, reserved: 5 });
  });
});
