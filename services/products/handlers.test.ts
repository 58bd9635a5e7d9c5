import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type MessageData } from '../../contracts';
import { openDatabase, type OpenedDatabase } from '../../db/sqlite';
import { handleStockCommand } from './handlers';
import * as schema from './schema';
import { findProduct, insertProduct, restock } from './store';

const migrations = join(import.meta.dirname, 'migrations');
const now = new Date('2026-01-01T00:00:00.000Z');

describe('the stock commands on a real products database', () => {
  let dir: string;
  let database: OpenedDatabase<typeof schema>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'products-'));
    database = openDatabase(join(dir, 'products.db'), schema, migrations);
  });
  afterEach(async () => {
    database.close();
    await rm(dir, { recursive: true, force: true });
  });

  const reserve = (data: MessageData<'ReserveStock'>) =>
    database.db.transaction((tx) =>
      handleStockCommand(
        tx,
        envelope(
          { type: 'ReserveStock', data },
          { producer: 'orchestrator', correlationId: data.orderId, causationId: null },
        ),
        now,
      ),
    );

  it('answers a resent ReserveStock as it answered the first, even after a restock', () => {
    const productId = randomUUID();
    const at = now.toISOString();
    insertProduct(database.db, {
      id: productId,
      name: 'Mug',
      description: '',
      priceCents: 500,
      stock: 1,
      reserved: 0,
      sold: 0,
      received: 1,
      archivedAt: null,
      createdAt: at,
      updatedAt: at,
    });
    const order = { orderId: randomUUID(), items: [{ productId, quantity: 2 }] };
    const rejected = [{ type: 'StockRejected', data: { orderId: order.orderId, reason: 'OUT_OF_STOCK', productId } }];

    expect(reserve(order)).toEqual(rejected);
    restock(database.db, productId, 5, now);
    expect(reserve(order)).toEqual(rejected);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 6, reserved: 0 });

    // Another order for the same units is decided afresh.
    const other = { orderId: randomUUID(), items: [{ productId, quantity: 2 }] };
    expect(reserve(other)).toMatchObject([{ type: 'StockReserved', data: { totalCents: 1_000 } }]);
    expect(findProduct(database.db, productId)).toMatchObject({ stock: 4, reserved: 2 });
  });
});
