import { describe, expect, it } from 'vitest';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { ProductRow, ProductsStore, ReservationRow } from './store';

const product = (id: string, changes: Partial<ProductRow> = {}): ProductRow => ({
  id,
  name: `Product ${id}`,
  description: `About ${id}`,
  priceCents: 1_000,
  stock: 10,
  reserved: 0,
  sold: 0,
  received: 10,
  archivedAt: null,
  createdAt: iso(0),
  updatedAt: iso(0),
  ...changes,
});

const reservation = (orderId: string, productId: string, changes: Partial<ReservationRow> = {}): ReservationRow => ({
  orderId,
  productId,
  quantity: 2,
  name: `Product ${productId}`,
  unitPriceCents: 1_000,
  status: 'reserved',
  updatedAt: iso(0),
  ...changes,
});

const byProduct = (a: { productId: string }, b: { productId: string }) => (a.productId < b.productId ? -1 : 1);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

/** What the products service's store does, on either database; the inbox and outbox are in the messaging contract. */
export function productsStoreContract(name: string, makeDatabase: DatabaseFactory<ProductsStore>): void {
  describe(`${name}: the products store contract`, () => {
    const db = freshDatabaseEachTest(makeDatabase);
    const tx = <R>(work: (store: ProductsStore) => Promise<R>) => db().transaction(work);
    const find = (id: string) => tx((store) => store.findProduct(id));
    const insert = (...rows: ProductRow[]) =>
      tx(async (store) => {
        for (const row of rows) await store.insertProduct(row);
      });
    const list = (limit: number, filter: { name?: string } = {}, after?: string) =>
      tx(async (store) => (await store.listProducts(limit, filter, after)).map((row) => row.id));

    describe('the catalogue', () => {
      it('finds a product as inserted, and nothing for an unknown id', async () => {
        const row = product('p1', {
          name: 'Mug',
          description: 'A mug',
          priceCents: 1_250,
          stock: 7,
          received: 9,
          sold: 2,
        });
        await insert(row);
        expect(await find('p1')).toEqual(row);
        expect(await find('p2')).toBeUndefined();
      });

      it('lists by id, a page at a time after the cursor, archived products hidden', async () => {
        // Inserted out of id order.
        await insert(product('p4'), product('p2'), product('p5'), product('p1'), product('p3'));
        await tx((store) => store.archiveProduct('p3', at(1)));
        expect(await list(10)).toEqual(['p1', 'p2', 'p4', 'p5']);
        expect(await list(2)).toEqual(['p1', 'p2']);
        expect(await list(2, {}, 'p2')).toEqual(['p4', 'p5']);
        // The cursor need not be a listed product, and is never listed itself.
        expect(await list(10, {}, 'p3')).toEqual(['p4', 'p5']);
        expect(await list(10, {}, 'p4')).toEqual(['p5']);
        expect(await list(10, {}, 'p5')).toEqual([]);
      });

      it('filters by a part of the name, in any case, a page at a time', async () => {
        await insert(
          product('p1', { name: 'Blue Mug' }),
          product('p2', { name: 'Teapot' }),
          product('p3', { name: 'mug rack' }),
          product('p4', { name: 'SMUGGLER' }),
          product('p5', { name: 'Mu g' }),
          product('p6', { name: 'Archived mug' }),
        );
        await tx((store) => store.archiveProduct('p6', at(1)));
        expect(await list(10, { name: 'mug' })).toEqual(['p1', 'p3', 'p4']);
        expect(await list(10, { name: 'MUG' })).toEqual(['p1', 'p3', 'p4']);
        expect(await list(2, { name: 'Mug' })).toEqual(['p1', 'p3']);
        expect(await list(2, { name: 'Mug' }, 'p3')).toEqual(['p4']);
        expect(await list(10, { name: 'teapot' })).toEqual(['p2']);
        expect(await list(10, { name: 'coffee' })).toEqual([]);
        // Where the stores differ, left out: SQLite's LIKE folds the case of ASCII letters only,
        // so 'ÉCLAIR' finds 'éclair' on PostgreSQL (ILIKE) and not on SQLite.
      });

      it('matches %, _ and \\ in the name filter literally', async () => {
        await insert(
          product('p1', { name: '100% cotton' }),
          product('p2', { name: '100 cotton' }),
          product('p3', { name: 'a_b' }),
          product('p4', { name: 'axb' }),
          product('p5', { name: 'back\\slash' }),
          product('p6', { name: 'backslash' }),
        );
        expect(await list(10, { name: '%' })).toEqual(['p1']);
        expect(await list(10, { name: '0% c' })).toEqual(['p1']);
        expect(await list(10, { name: '_' })).toEqual(['p3']);
        expect(await list(10, { name: 'a_b' })).toEqual(['p3']);
        expect(await list(10, { name: '\\' })).toEqual(['p5']);
        expect(await list(10, { name: 'k\\s' })).toEqual(['p5']);
      });

      it('updates a live product: the changes and the time, nothing else, nor any other product', async () => {
        await insert(product('p1'), product('p2'));
        const updated = await tx((store) => store.updateProduct('p1', { name: 'Mug', priceCents: 1_500 }, at(5)));
        const expected = product('p1', { name: 'Mug', priceCents: 1_500, updatedAt: iso(5) });
        expect(updated).toEqual(expected);
        expect(await find('p1')).toEqual(expected);
        expect(await tx((store) => store.updateProduct('p1', { description: 'Now described' }, at(6)))).toEqual({
          ...expected,
          description: 'Now described',
          updatedAt: iso(6),
        });
        expect(await find('p2')).toEqual(product('p2'));
      });

      it('updates nothing, and answers undefined, for an archived or unknown product', async () => {
        await insert(product('p1'));
        await tx((store) => store.archiveProduct('p1', at(1)));
        const archived = await find('p1');
        expect(await tx((store) => store.updateProduct('p1', { name: 'Mug' }, at(5)))).toBeUndefined();
        expect(await tx((store) => store.updateProduct('nope', { name: 'Mug' }, at(5)))).toBeUndefined();
        expect(await find('p1')).toEqual(archived);
        expect(await find('nope')).toBeUndefined();
      });

      it('restocks a live product: available and received both grow, nothing else, nor any other product', async () => {
        await insert(product('p1', { stock: 3, reserved: 2, sold: 5, received: 10 }), product('p2'));
        const expected = product('p1', { stock: 7, reserved: 2, sold: 5, received: 14, updatedAt: iso(5) });
        expect(await tx((store) => store.restock('p1', 4, at(5)))).toEqual(expected);
        expect(await find('p1')).toEqual(expected);
        expect(await find('p2')).toEqual(product('p2'));
      });

      it('restocks nothing, and answers undefined, for an archived or unknown product', async () => {
        await insert(product('p1'));
        await tx((store) => store.archiveProduct('p1', at(1)));
        const archived = await find('p1');
        expect(await tx((store) => store.restock('p1', 4, at(5)))).toBeUndefined();
        expect(await tx((store) => store.restock('nope', 4, at(5)))).toBeUndefined();
        expect(await find('p1')).toEqual(archived);
      });

      it('archives once: the first time stays, the product is still found by id, and no other is archived', async () => {
        await insert(product('p1'), product('p2'));
        await tx((store) => store.archiveProduct('p1', at(1)));
        await tx((store) => store.archiveProduct('p1', at(2)));
        await tx((store) => store.archiveProduct('nope', at(2)));
        expect(await find('p1')).toEqual(product('p1', { archivedAt: iso(1), updatedAt: iso(1) }));
        expect(await find('p2')).toEqual(product('p2'));
      });

      it('moves units between the counters of one product', async () => {
        await insert(product('p1', { stock: 10, reserved: 1, sold: 2, received: 13 }), product('p2'));
        await tx((store) => store.moveUnits('p1', { stock: -3, reserved: 3 }, at(5)));
        expect(await find('p1')).toEqual(
          product('p1', { stock: 7, reserved: 4, sold: 2, received: 13, updatedAt: iso(5) }),
        );
        await tx((store) => store.moveUnits('p1', { reserved: -2, sold: 2 }, at(6)));
        expect(await find('p1')).toEqual(
          product('p1', { stock: 7, reserved: 2, sold: 4, received: 13, updatedAt: iso(6) }),
        );
        await tx((store) => store.moveUnits('p1', { reserved: -1, stock: 1 }, at(7)));
        expect(await find('p1')).toMatchObject({ stock: 8, reserved: 1, sold: 4, received: 13 });
        expect(await find('p2')).toEqual(product('p2'));
      });

      it('gives the products an order reserves, and none it does not name', async () => {
        await insert(product('p3'), product('p1'), product('p2'));
        const rows = await tx((store) => store.productsToReserve(['p3', 'p1', 'unknown']));
        // The order of the rows is not part of the contract: PostgreSQL's come in id order (the
        // order it locks them in), SQLite's in the order asked.
        expect([...rows].sort(byId)).toEqual([product('p1'), product('p3')]);
        expect(await tx((store) => store.productsToReserve([]))).toEqual([]);
      });

      it('sees in a later transaction what an earlier one moved', async () => {
        await insert(product('p1', { stock: 5 }));
        await tx(async (store) => {
          const [row] = await store.productsToReserve(['p1']);
          await store.moveUnits('p1', { stock: -row!.stock, reserved: row!.stock }, at(1));
        });
        expect(await tx((store) => store.productsToReserve(['p1']))).toEqual([
          product('p1', { stock: 0, reserved: 5, updatedAt: iso(1) }),
        ]);
      });
    });

    describe('reservations', () => {
      it('keeps each order its own reservations', async () => {
        const mine = [reservation('o1', 'p2', { quantity: 3 }), reservation('o1', 'p1')];
        const theirs = reservation('o2', 'p1', { quantity: 1 });
        await tx((store) => store.insertReservations([...mine, theirs]));
        expect([...(await tx((store) => store.reservationsOf('o1')))].sort(byProduct)).toEqual(
          [...mine].sort(byProduct),
        );
        expect(await tx((store) => store.reservationsOf('o2'))).toEqual([theirs]);
        expect(await tx((store) => store.reservationsOf('o3'))).toEqual([]);
      });

      it("sets the status of every line of one order's reservation, and of no other order's", async () => {
        await tx((store) =>
          store.insertReservations([reservation('o1', 'p1'), reservation('o1', 'p2'), reservation('o2', 'p1')]),
        );
        await tx((store) => store.setReservationStatus('o1', 'committed', at(5)));
        const committed = await tx((store) => store.reservationsOf('o1'));
        expect([...committed].sort(byProduct)).toEqual([
          reservation('o1', 'p1', { status: 'committed', updatedAt: iso(5) }),
          reservation('o1', 'p2', { status: 'committed', updatedAt: iso(5) }),
        ]);
        expect(await tx((store) => store.reservationsOf('o2'))).toEqual([reservation('o2', 'p1')]);
        await tx((store) => store.setReservationStatus('o2', 'released', at(6)));
        expect(await tx((store) => store.reservationsOf('o2'))).toEqual([
          reservation('o2', 'p1', { status: 'released', updatedAt: iso(6) }),
        ]);
      });

      it('keeps why an order had no reservation', async () => {
        const rejection = { orderId: 'o1', productId: 'p1', reason: 'OUT_OF_STOCK' as const, rejectedAt: iso(3) };
        expect(await tx((store) => store.rejectionOf('o1'))).toBeUndefined();
        await tx((store) => store.insertRejection(rejection));
        await tx((store) =>
          store.insertRejection({ orderId: 'o2', productId: 'p9', reason: 'UNKNOWN_PRODUCT', rejectedAt: iso(4) }),
        );
        expect(await tx((store) => store.rejectionOf('o1'))).toEqual(rejection);
        expect(await tx((store) => store.rejectionOf('o2'))).toEqual({
          orderId: 'o2',
          productId: 'p9',
          reason: 'UNKNOWN_PRODUCT',
          rejectedAt: iso(4),
        });
        expect(await tx((store) => store.rejectionOf('o3'))).toBeUndefined();
      });

      it('remembers an order released before anything was reserved, recorded any number of times', async () => {
        expect(await tx((store) => store.wasReleasedUnreserved('o1'))).toBe(false);
        await tx((store) => store.recordReleasedUnreserved('o1', at(1)));
        await tx((store) => store.recordReleasedUnreserved('o1', at(2)));
        expect(await tx((store) => store.wasReleasedUnreserved('o1'))).toBe(true);
        expect(await tx((store) => store.wasReleasedUnreserved('o2'))).toBe(false);
      });
    });
  });
}
