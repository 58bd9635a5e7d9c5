import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type MessageData } from '../../contracts';
import type { Inbound } from '../../contracts/topology';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { handleStockCommand } from './handlers';
import { productsSqlite } from './sqlite/store';

const now = new Date('2026-01-01T00:00:00.000Z');

describe('the stock commands on a real products database', () => {
  let database: ScratchDatabase<typeof productsSqlite>;
  beforeEach(() => {
    database = scratchDatabase(productsSqlite);
  });
  afterEach(() => database.remove());

  const handle = (command: Inbound<'products'>) =>
    database.transaction((store) => handleStockCommand(store, command, now));
  const context = (orderId: string) => ({
    producer: 'orchestrator' as const,
    correlationId: orderId,
    causationId: null,
  });
  const reserve = (data: MessageData<'ReserveStock'>) =>
    handle(envelope({ type: 'ReserveStock', data }, context(data.orderId)));
  const release = (orderId: string) => handle(envelope({ type: 'ReleaseStock', data: { orderId } }, context(orderId)));
  const commit = (orderId: string) => handle(envelope({ type: 'CommitStock', data: { orderId } }, context(orderId)));

  async function aProduct(stock: number): Promise<string> {
    const productId = randomUUID();
    const at = now.toISOString();
    await database.transaction((store) =>
      store.insertProduct({
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
      }),
    );
    return productId;
  }

  it('refuses an order for more than the stock, naming the product, and moves nothing on any line', async () => {
    const plenty = await aProduct(10);
    const scarce = await aProduct(1);
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

    expect(await reserve(order)).toEqual(rejected);
    expect(await database.store.findProduct(plenty)).toMatchObject({ stock: 10, reserved: 0, sold: 0 });
    expect(await database.store.findProduct(scarce)).toMatchObject({ stock: 1, reserved: 0, sold: 0 });
    expect(await database.store.reservationsOf(order.orderId)).toEqual([]);

    // The rejection is remembered: a resent ReserveStock gets it again, even after a restock.
    await database.transaction((store) => store.restock(scarce, 5, now));
    expect(await reserve(order)).toEqual(rejected);
    expect(await database.store.findProduct(scarce)).toMatchObject({ stock: 6, reserved: 0 });

    // Another order, for every unit now on the shelf, is decided afresh.
    const other = { orderId: randomUUID(), items: [{ productId: scarce, quantity: 6 }] };
    expect(await reserve(other)).toMatchObject([{ type: 'StockReserved', data: { totalCents: 3_000 } }]);
    expect(await database.store.findProduct(scarce)).toMatchObject({ stock: 0, reserved: 6 });
  });

  it('refuses an order naming a product it does not have, or one archived, and holds nothing', async () => {
    const archived = await aProduct(5);
    await database.transaction((store) => store.archiveProduct(archived, now));
    for (const productId of [randomUUID(), archived]) {
      const orderId = randomUUID();
      expect(await reserve({ orderId, items: [{ productId, quantity: 1 }] })).toEqual([
        { type: 'StockRejected', data: { orderId, reason: 'UNKNOWN_PRODUCT', productId } },
      ]);
      expect(await database.store.reservationsOf(orderId)).toEqual([]);
    }
    expect(await database.store.findProduct(archived)).toMatchObject({ stock: 5, reserved: 0 });
  });

  it('releases a reservation not yet committed, once, and answers a ReserveStock resent after it by silence', async () => {
    const productId = await aProduct(5);
    const orderId = randomUUID();
    const order = { orderId, items: [{ productId, quantity: 2 }] };
    await reserve(order);

    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(await database.store.findProduct(productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(await database.store.reservationsOf(orderId)).toMatchObject([{ status: 'released' }]);
    expect(await database.store.wasReleasedUnreserved(orderId)).toBe(false);

    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(await reserve(order)).toEqual([]);
    expect(await database.store.findProduct(productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
  });

  it('puts committed units back on the shelf when a cancel comes after the commit, once', async () => {
    const productId = await aProduct(5);
    const orderId = randomUUID();
    await reserve({ orderId, items: [{ productId, quantity: 2 }] });
    // Committed twice (the commit resent at its deadline): the units move once.
    expect(await commit(orderId)).toEqual([{ type: 'StockCommitted', data: { orderId } }]);
    expect(await commit(orderId)).toEqual([{ type: 'StockCommitted', data: { orderId } }]);
    expect(await database.store.findProduct(productId)).toMatchObject({ stock: 3, reserved: 0, sold: 2 });

    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(await database.store.findProduct(productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(await database.store.reservationsOf(orderId)).toMatchObject([{ status: 'released' }]);

    // Released again, or the commit resent late: the same answers, nothing moves.
    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(await commit(orderId)).toEqual([{ type: 'StockCommitted', data: { orderId } }]);
    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(await database.store.findProduct(productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    expect(await database.store.reservationsOf(orderId)).toMatchObject([{ status: 'released' }]);
  });

  it('answers the release of an order that reserved nothing, and refuses its ReserveStock arriving later', async () => {
    const productId = await aProduct(5);
    const orderId = randomUUID();
    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(await reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual([]);
    expect(await database.store.findProduct(productId)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    // Released again (a resent compensation): the same answer, still nothing held.
    expect(await release(orderId)).toEqual([{ type: 'StockReleased', data: { orderId } }]);
  });

  it('reserves with the name and price of the moment, and answers a resend with them after a rename', async () => {
    const productId = await aProduct(5);
    const orderId = randomUUID();
    const reserved = {
      type: 'StockReserved',
      data: { orderId, lines: [{ productId, quantity: 2, name: 'Mug', unitPriceCents: 500 }], totalCents: 1_000 },
    };
    expect(await reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual([reserved]);
    await database.transaction((store) => store.updateProduct(productId, { name: 'Big mug', priceCents: 900 }, now));
    expect(await reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual([reserved]);
  });
});
