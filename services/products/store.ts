import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Product } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import { products, reservations, type ProductRow, type ReservationRow } from './schema';

export const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  name: row.name,
  description: row.description,
  priceCents: row.priceCents,
  stock: row.stock,
  reserved: row.reserved,
  sold: row.sold,
});

export const findProduct = (db: SqliteDb, id: string) => db.select().from(products).where(eq(products.id, id)).get();

export const insertProduct = (db: SqliteDb, row: ProductRow) => db.insert(products).values(row).run();

/** The catalogue: archived products are hidden. Keyset pagination by id. */
export const listProducts = (db: SqliteDb, limit: number, after?: string) =>
  db
    .select()
    .from(products)
    .where(and(isNull(products.archivedAt), after ? gt(products.id, after) : undefined))
    .orderBy(asc(products.id))
    .limit(limit)
    .all();

export const reservationsOf = (db: SqliteDb, orderId: string) =>
  db.select().from(reservations).where(eq(reservations.orderId, orderId)).all();

export const insertReservations = (db: SqliteDb, rows: ReservationRow[]) => db.insert(reservations).values(rows).run();

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
