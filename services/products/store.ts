import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Product } from '../../contracts/rest';
import { param, preparedQueries, rowParams, setParams, type SqliteDb } from '../../db/sqlite';
import {
  products,
  releasedUnreserved,
  reservations,
  stockRejections,
  type ProductRow,
  type ReservationRow,
  type StockRejectionRow,
} from './sqlite/schema';

export const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  name: row.name,
  description: row.description,
  priceCents: row.priceCents,
  stock: row.stock,
  reserved: row.reserved,
  sold: row.sold,
  ...(row.archivedAt ? { archivedAt: row.archivedAt } : {}),
});

export const findProduct = (db: SqliteDb, id: string) => queries(db).findProduct.get({ id });

export const insertProduct = (db: SqliteDb, row: ProductRow) => db.insert(products).values(row).run();

/** `%`, `_` and the escape itself match literally in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** The catalogue: archived products are hidden. Keyset pagination by id; `name` matches a part, any case. */
export function listProducts(db: SqliteDb, limit: number, filter: { name?: string }, after?: string) {
  const { catalogue } = queries(db);
  const pattern = filter.name && `%${likeLiteral(filter.name)}%`;
  if (pattern)
    return after ? catalogue.byNameAfter.all({ limit, pattern, after }) : catalogue.byName.all({ limit, pattern });
  return after ? catalogue.after.all({ limit, after }) : catalogue.first.all({ limit });
}

/** One prepared listing per combination of filters, so a page runs without building SQL. */
const catalogueQueries = (db: SqliteDb) => {
  const listing = ({ byName, paged }: { byName: boolean; paged: boolean }) =>
    db
      .select()
      .from(products)
      .where(
        and(
          isNull(products.archivedAt),
          byName ? sql`${products.name} LIKE ${param('pattern')} ESCAPE '\\'` : undefined,
          paged ? gt(products.id, param('after')) : undefined,
        ),
      )
      .orderBy(asc(products.id))
      .limit(param('limit'))
      .prepare();
  return {
    first: listing({ byName: false, paged: false }),
    after: listing({ byName: false, paged: true }),
    byName: listing({ byName: true, paged: false }),
    byNameAfter: listing({ byName: true, paged: true }),
  };
};

/** Changes what a product is called or costs; undefined when no live product has the id. */
export const updateProduct = (
  db: SqliteDb,
  id: string,
  changes: Partial<Pick<ProductRow, 'name' | 'description' | 'priceCents'>>,
  now: Date,
) =>
  db
    .update(products)
    .set({ ...changes, updatedAt: now.toISOString() })
    .where(and(eq(products.id, id), isNull(products.archivedAt)))
    .returning()
    .get();

/** New units count as available and as received, so stock conservation still adds up. */
export const restock = (db: SqliteDb, id: string, quantity: number, now: Date) =>
  db
    .update(products)
    .set({
      stock: sql`${products.stock} + ${quantity}`,
      received: sql`${products.received} + ${quantity}`,
      updatedAt: now.toISOString(),
    })
    .where(and(eq(products.id, id), isNull(products.archivedAt)))
    .returning()
    .get();

/** Archives once: the first archive's time stays. */
export const archiveProduct = (db: SqliteDb, id: string, now: Date) =>
  db
    .update(products)
    .set({ archivedAt: now.toISOString(), updatedAt: now.toISOString() })
    .where(and(eq(products.id, id), isNull(products.archivedAt)))
    .run();

export const reservationsOf = (db: SqliteDb, orderId: string) => queries(db).reservationsOf.all({ orderId });

export const insertReservations = (db: SqliteDb, rows: ReservationRow[]) => {
  for (const row of rows) queries(db).insertReservation.run(row);
};

export const rejectionOf = (db: SqliteDb, orderId: string) => queries(db).rejectionOf.get({ orderId });

export const insertRejection = (db: SqliteDb, row: StockRejectionRow) => db.insert(stockRejections).values(row).run();

export const wasReleasedUnreserved = (db: SqliteDb, orderId: string) =>
  queries(db).releasedUnreserved.get({ orderId }) !== undefined;

export const recordReleasedUnreserved = (db: SqliteDb, orderId: string, now: Date) =>
  db.insert(releasedUnreserved).values({ orderId, releasedAt: now.toISOString() }).onConflictDoNothing().run();

export function setReservationStatus(db: SqliteDb, orderId: string, status: ReservationRow['status'], now: Date) {
  queries(db).setReservationStatus.run({ orderId, status, updatedAt: now.toISOString() });
}

/** Moves units between a product's counters by the given deltas, which sum to zero. */
export function moveUnits(
  db: SqliteDb,
  productId: string,
  delta: { stock?: number; reserved?: number; sold?: number },
  now: Date,
) {
  queries(db).moveUnits.run({
    productId,
    stock: delta.stock ?? 0,
    reserved: delta.reserved ?? 0,
    sold: delta.sold ?? 0,
    updatedAt: now.toISOString(),
  });
}

/** What every stock command runs, built once per connection. */
const queries = preparedQueries((db) => ({
  catalogue: catalogueQueries(db),
  findProduct: db
    .select()
    .from(products)
    .where(eq(products.id, param('id')))
    .prepare(),
  reservationsOf: db
    .select()
    .from(reservations)
    .where(eq(reservations.orderId, param('orderId')))
    .prepare(),
  insertReservation: db.insert(reservations).values(rowParams(reservations)).prepare(),
  rejectionOf: db
    .select()
    .from(stockRejections)
    .where(eq(stockRejections.orderId, param('orderId')))
    .prepare(),
  releasedUnreserved: db
    .select()
    .from(releasedUnreserved)
    .where(eq(releasedUnreserved.orderId, param('orderId')))
    .prepare(),
  setReservationStatus: db
    .update(reservations)
    .set(setParams('status', 'updatedAt'))
    .where(eq(reservations.orderId, param('orderId')))
    .prepare(),
  moveUnits: db
    .update(products)
    .set({
      stock: sql`${products.stock} + ${param('stock')}`,
      reserved: sql`${products.reserved} + ${param('reserved')}`,
      sold: sql`${products.sold} + ${param('sold')}`,
      ...setParams('updatedAt'),
    })
    .where(eq(products.id, param('productId')))
    .prepare(),
}));
