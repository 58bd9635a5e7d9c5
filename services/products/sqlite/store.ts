import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { sqliteMessagingStore } from '../../../broker/messaging/sqlite/store';
import { type SqliteStoreParts } from '../../../db/sqlite';
import { param, rowParams, setParams } from '../../../db/statements';
import { likeLiteral, type ProductsStore } from '../store';
import * as schema from './schema';
import { products, releasedUnreserved, reservations, stockRejections } from './schema';

/** The products service's store on its SQLite connection: one writer, so a plain read is as good as a lock. */
export function sqliteProductsStore(db: BetterSQLite3Database<typeof schema>): ProductsStore {
  const live = (id: unknown) => and(eq(products.id, id as string), isNull(products.archivedAt));
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
  // One prepared listing per combination of filters, so a page runs without building SQL.
  const catalogue = {
    first: listing({ byName: false, paged: false }),
    after: listing({ byName: false, paged: true }),
    byName: listing({ byName: true, paged: false }),
    byNameAfter: listing({ byName: true, paged: true }),
  };
  const findProduct = db
    .select()
    .from(products)
    .where(eq(products.id, param('id')))
    .prepare();
  const reservationsOf = db
    .select()
    .from(reservations)
    .where(eq(reservations.orderId, param('orderId')))
    .prepare();
  const insertReservation = db.insert(reservations).values(rowParams(reservations)).prepare();
  const rejectionOf = db
    .select()
    .from(stockRejections)
    .where(eq(stockRejections.orderId, param('orderId')))
    .prepare();
  const releasedOf = db
    .select()
    .from(releasedUnreserved)
    .where(eq(releasedUnreserved.orderId, param('orderId')))
    .prepare();
  const setReservationStatus = db
    .update(reservations)
    .set(setParams('status', 'updatedAt'))
    .where(eq(reservations.orderId, param('orderId')))
    .prepare();
  const moveUnits = db
    .update(products)
    .set({
      stock: sql`${products.stock} + ${param('stock')}`,
      reserved: sql`${products.reserved} + ${param('reserved')}`,
      sold: sql`${products.sold} + ${param('sold')}`,
      ...setParams('updatedAt'),
    })
    .where(eq(products.id, param('productId')))
    .prepare();

  return {
    ...sqliteMessagingStore(db),
    async findProduct(id) {
      return findProduct.get({ id });
    },
    async productsToReserve(ids) {
      return ids.map((id) => findProduct.get({ id })).filter((row) => row !== undefined);
    },
    async insertProduct(row) {
      db.insert(products).values(row).run();
    },
    async listProducts(limit, filter, after) {
      const pattern = filter.name && `%${likeLiteral(filter.name)}%`;
      if (pattern)
        return after ? catalogue.byNameAfter.all({ limit, pattern, after }) : catalogue.byName.all({ limit, pattern });
      return after ? catalogue.after.all({ limit, after }) : catalogue.first.all({ limit });
    },
    async updateProduct(id, changes, now) {
      return db
        .update(products)
        .set({ ...changes, updatedAt: now.toISOString() })
        .where(live(id))
        .returning()
        .get();
    },
    async restock(id, quantity, now) {
      return db
        .update(products)
        .set({
          stock: sql`${products.stock} + ${quantity}`,
          received: sql`${products.received} + ${quantity}`,
          updatedAt: now.toISOString(),
        })
        .where(live(id))
        .returning()
        .get();
    },
    async archiveProduct(id, now) {
      db.update(products).set({ archivedAt: now.toISOString(), updatedAt: now.toISOString() }).where(live(id)).run();
    },
    async moveUnits(productId, delta, now) {
      moveUnits.run({
        productId,
        stock: delta.stock ?? 0,
        reserved: delta.reserved ?? 0,
        sold: delta.sold ?? 0,
        updatedAt: now.toISOString(),
      });
    },
    async reservationsOf(orderId) {
      return reservationsOf.all({ orderId });
    },
    async insertReservations(rows) {
      for (const row of rows) insertReservation.run(row);
    },
    async setReservationStatus(orderId, status, now) {
      setReservationStatus.run({ orderId, status, updatedAt: now.toISOString() });
    },
    async rejectionOf(orderId) {
      return rejectionOf.get({ orderId });
    },
    async insertRejection(row) {
      db.insert(stockRejections).values(row).run();
    },
    async wasReleasedUnreserved(orderId) {
      return releasedOf.get({ orderId }) !== undefined;
    },
    async recordReleasedUnreserved(orderId, now) {
      db.insert(releasedUnreserved).values({ orderId, releasedAt: now.toISOString() }).onConflictDoNothing().run();
    },
  };
}

/** The SQLite store of the products: its schema, its migrations beside this file, and the store. */
export const productsSqlite: SqliteStoreParts<typeof schema, ProductsStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: sqliteProductsStore,
};
