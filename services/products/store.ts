import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Product } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import {
  products,
  releasedUnreserved,
  reservations,
  stockRejections,
  type ProductRow,
  type ReservationRow,
  type StockRejectionRow,
} from './schema';

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

export const findProduct = (db: SqliteDb, id: string) => db.select().from(products).where(eq(products.id, id)).get();

export const insertProduct = (db: SqliteDb, row: ProductRow) => db.insert(products).values(row).run();

/** `%`, `_` and the escape itself match literally in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** The catalogue: archived products are hidden. Keyset pagination by id; `name` matches a part, any case. */
export const listProducts = (db: SqliteDb, limit: number, filter: { name?: string }, after?: string) =>
  db
    .select()
    .from(products)
    .where(
      and(
        isNull(products.archivedAt),
        filter.name ? sql`${products.name} LIKE ${`%${likeLiteral(filter.name)}%`} ESCAPE '\\'` : undefined,
        after ? gt(products.id, after) : undefined,
      ),
    )
    .orderBy(asc(products.id))
    .limit(limit)
    .all();

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

export const reservationsOf = (db: SqliteDb, orderId: string) =>
  db.select().from(reservations).where(eq(reservations.orderId, orderId)).all();

export const insertReservations = (db: SqliteDb, rows: ReservationRow[]) => db.insert(reservations).values(rows).run();

export const rejectionOf = (db: SqliteDb, orderId: string) =>
  db.select().from(stockRejections).where(eq(stockRejections.orderId, orderId)).get();

export const insertRejection = (db: SqliteDb, row: StockRejectionRow) => db.insert(stockRejections).values(row).run();

export const wasReleasedUnreserved = (db: SqliteDb, orderId: string) =>
  db.select().from(releasedUnreserved).where(eq(releasedUnreserved.orderId, orderId)).get() !== undefined;

export const recordReleasedUnreserved = (db: SqliteDb, orderId: string, now: Date) =>
  db.insert(releasedUnreserved).values({ orderId, releasedAt: now.toISOString() }).onConflictDoNothing().run();

export function setReservationStatus(db: SqliteDb, orderId: string, status: ReservationRow['status'], now: Date) {
  db.update(reservations).set({ status, updatedAt: now.toISOString() }).where(eq(reservations.orderId, orderId)).run();
}

/** Moves units between a product's counters by the given deltas, which sum to zero. */
export function moveUnits(
  db: SqliteDb,
  productId: string,
  delta: { stock?: number; reserved?: number; sold?: number },
  now: Date,
) {
  db.update(products)
    .set({
      stock: sql`${products.stock} + ${delta.stock ?? 0}`,
      reserved: sql`${products.reserved} + ${delta.reserved ?? 0}`,
      sold: sql`${products.sold} + ${delta.sold ?? 0}`,
      updatedAt: now.toISOString(),
    })
    .where(eq(products.id, productId))
    .run();
}
