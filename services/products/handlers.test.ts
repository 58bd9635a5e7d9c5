import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type MessageData } from '../../contracts';
import type { Inbound } from '../../contracts/topology';
import { scratchDatabase } from '../../tests/support/scratch-database';
import { handleStockCommand } from './handlers';
import * as schema from './sqlite/schema';
import {
  archiveProduct,
  findProduct,
  insertProduct,
  reservationsOf,
  restock,
  updateProduct,
  wasReleasedUnreserved,
} from './store';

const migrations = new URL('./sqlite/migrations', import.meta.url);
const now = new Date('2026-01-01T00:00:00.000Z');

describe('the stock commands on a real products database', () => {
  let database: ReturnType<typeof scratchDatabase<typeof schema>>;
  beforeEach(() => (database = scratchDatabase(schema, migrations)));
  afterEach(() => database.remove());

  const handle = (command: Inbound<'products'>) =>
    database.db.transaction((tx) => handleStockCommand(tx, command, now));
  const context = (orderId: string) => ({
    producer: 'orchestrator' as const,
    correlationId: orderId,
    causationId: null,
  });
  const reserve = (data: MessageData<'ReserveStock'>) =>
    handle(envelope({ type: 'ReserveStock', data }, context(data.orderId)));
  const release = (orderId: string) => handle(envelope({ type: 'ReleaseStock', data: { orderId } }, context(orderId)));
  const commit = (orderId: string) => handle(envelope({ type: 'CommitStock', data: { orderId } }, context(orderId)));

  function aProduct(stock: number): string {
    const productId = randomUUID();
    const at = now.toISOString();
    insertProduct(database.db, {
      id: productId,
      name: 'Mug',
      description: '',
      priceCents: 500,
      stock,
      reserved: 0,
      sold: 0,
      received: stock,
      archivedAt: null,
      createdAt: at,
      updatedAt: at,
    });
    return productId;
  }

  it('refuses an order for more than the stock, naming the product, and moves nothing on any line', () => {
    const plenty = aProduct(10);
    const scarce = aProduct(1);
    const order = {
      orderId: randomUUID(),
      items: [
        { productId: plenty, quantity: 3 },
        { productId: scarce, quantity: 2 },
      ],
    };
    const rejected = [
      { type: 'StockRejected', data: { orderId: order.orderId, reason: 'OUT_OF_STOCK', productId: scarce } },
    ];

    expect(reserve(order)).toEqual(rejected);
    expect(findProduct(database.db, plenty)).toMatchObject({ stock: 10, reserved: 0, sold: 0 });
    expect(findProduct(database.db, scarce)).toMatchObject({ stock: 1, reserved: 0, sold: 0 });
    expect(reservationsOf(database.db, order.orderId)).toEqual([]);

    // The rejection is remembered: a resent ReserveStock gets it again, even after a restock.
    restock(database.db, scarce, 5, now);
    expect(reserve(order)).toEqual(rejected);
    expect(findProduct(database.db, scarce)).toMatchObject({ stock: 6, reserved: 0 });

    // Another order, for every unit now on the shelf, is decided afresh.
    const other = { orderId: randomUUID(), items: [{ productId: scarce, quantity: 6 }] };
    expect(reserve(other)).toMatchObject([{ type: 'StockReserved', data: { totalCents: 3_000 } }]);
    expect(findProduct(database.db, scarce)).toMatchObject({ stock: 0, reserved: 6 });
  });

  it('refuses an order naming a product it does not have, or one archived, and holds nothing', () => {
    const archived = aProduct(5);
    archiveProduct(database.db, archived, now);
    for (const productId of [randomUUID(), archived]) {
      const orderId = randomUUID();
      expect(reserve({ orderId, items: [{ productId, quantity: 1 }] })).toEqual([
        { type: 'StockRejected', data: { orderId, reason: 'UNKNOWN_PRODUCT', productId } },
      ]);
      expect(reservationsOf(database.db, orderId)).toEqual([]);
    }
    expect(findProduct(database.db, archived)).toMatchObject({ stock: 5, reserved: 0 });
  });

  it('releases a reservation not yet committed, once, and answers a ReserveStock resent after it by silence', () => {
    const productId = aProduct(5);
    const orderId = randomUUID();
    const order = { orderId, items: [{ productId, quantity: 2 }] };
    reserve(order);

    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(reservationsOf(database.db, orderId)).toMatchObject([{ status: 'released' }]);
    expect(wasReleasedUnreserved(database.db, orderId)).toBe(false);

    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(reserve(order)).toEqual([]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
  });

  it('puts committed units back on the shelf when a cancel comes after the commit, once', () => {
    const productId = aProduct(5);
    const orderId = randomUUID();
    reserve({ orderId, items: [{ productId, quantity: 2 }] });
    // Committed twice (the commit resent at its deadline): the units move once.
    expect(commit(orderId)).toEqual([{ type: 'StockCommitted', data: { orderId } }]);
    expect(commit(orderId)).toEqual([{ type: 'StockCommitted', data: { orderId } }]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 3, reserved: 0, sold: 2 });

    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(reservationsOf(database.db, orderId)).toMatchObject([{ status: 'released' }]);

    // Released again, or the commit resent late: the same answers, nothing moves.
    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(commit(orderId)).toEqual([{ type: 'StockCommitted', data: { orderId } }]);
    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(reservationsOf(database.db, orderId)).toMatchObject([{ status: 'released' }]);
  });

  it('answers the release of an order that reserved nothing, and refuses its ReserveStock arriving later', () => {
    const productId = aProduct(5);
    const orderId = randomUUID();
    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual([]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    // Released again (a resent compensation): the same answer, still nothing held.
    expect(release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
  });

  it('reserves with the name and price of the moment, and answers a resend with them after a rename', () => {
    const productId = aProduct(5);
    const orderId = randomUUID();
    const reserved = {
      type: 'StockReserved',
      data: { orderId, lines: [{ productId, quantity: 2, name: 'Mug', unitPriceCents: 500 }], totalCents: 1_000 },
    };
    expect(reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual([reserved]);
    updateProduct(database.db, productId, { name: 'Big mug', priceCents: 900 }, now);
    expect(reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual([reserved]);
  });
});
