import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { postgresMessagingStore } from '../../../broker/messaging/postgres/store';
import { type PostgresDb, type PostgresStoreParts } from '../../../db/postgres';
import { param, rowParams, setParams } from '../../../db/statements';
import { likeLiteral, type ProductsStore } from '../store';
import * as schema from './schema';
import { products, releasedUnreserved, reservations, stockRejections } from './schema';

/**
 * The products service's store on one PostgreSQL connection. Instances reserve side by side:
 * the products an order reserves are locked (in id order, so two orders never wait on each
 * other) before their stock is read.
 */
export function postgresProductsStore(db: PostgresDb<typeof schema>): ProductsStore {
  const live = (id: string) => and(eq(products.id, id), isNull(products.archivedAt));
  const listing = ({ byName, paged }: { byName: boolean; paged: boolean }) =>
    db
      .select()
      .from(products)
      .where(
        and(
          isNull(products.archivedAt),
          byName ? sql`${products.name} ILIKE ${param('pattern')} ESCAPE '\\'` : undefined,
          paged ? gt(products.id, param('after')) : undefined,
        ),
      )
      .orderBy(asc(products.id))
      .limit(param('limit'))
      .prepare(`products_list_${byName ? 'name' : 'all'}_${paged ? 'after' : 'first'}`);
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
    .prepare('products_find');
  const toReserve = db
    .select()
    .from(products)
    .where(sql`${products.id} = any(${param('ids')})`)
    .orderBy(asc(products.id))
    .for('update')
    .prepare('products_to_reserve');
  const reservationsOf = db
    .select()
    .from(reservations)
    .where(eq(reservations.orderId, param('orderId')))
    .prepare('reservations_of');
  const insertReservation = db.insert(reservations).values(rowParams(reservations)).prepare('reservations_insert');
  const rejectionOf = db
    .select()
    .from(stockRejections)
    .where(eq(stockRejections.orderId, param('orderId')))
    .prepare('rejections_of');
  const releasedOf = db
    .select()
    .from(releasedUnreserved)
    .where(eq(releasedUnreserved.orderId, param('orderId')))
    .prepare('released_unreserved_of');
  const setReservationStatus = db
    .update(reservations)
    .set(setParams('status', 'updatedAt'))
    .where(eq(reservations.orderId, param('orderId')))
    .prepare('reservations_set_status');
  const moveUnits = db
    .update(products)
    .set({
      stock: sql`${products.stock} + ${param('stock')}`,
      reserved: sql`${products.reserved} + ${param('reserved')}`,
      sold: sql`${products.sold} + ${param('sold')}`,
      ...setParams('updatedAt'),
    })
    .where(eq(products.id, param('productId')))
    .prepare('products_move_units');

  return {
    ...postgresMessagingStore(db),
    async findProduct(id) {
      return (await findProduct.execute({ id }))[0];
    },
    async productsToReserve(ids) {
      return toReserve.execute({ ids: [...ids] });
    },
    async insertProduct(row) {
      await db.insert(products).values(row);
    },
    async listProducts(limit, filter, after) {
      const pattern = filter.name && `%${likeLiteral(filter.name)}%`;
      if (pattern)
        return after
          ? catalogue.byNameAfter.execute({ limit, pattern, after })
          : catalogue.byName.execute({ limit, pattern });
      return after ? catalogue.after.execute({ limit, after }) : catalogue.first.execute({ limit });
    },
    async updateProduct(id, changes, now) {
      const [row] = await db
        .update(products)
        .set({ ...changes, updatedAt: now.toISOString() })
        .where(live(id))
        .returning();
      return row;
    },
    async restock(id, quantity, now) {
      const [row] = await db
        .update(products)
        .set({
          stock: sql`${products.stock} + ${quantity}`,
          received: sql`${products.received} + ${quantity}`,
          updatedAt: now.toISOString(),
        })
        .where(live(id))
        .returning();
      return row;
    },
    async archiveProduct(id, now) {
      await db.update(products).set({ archivedAt: now.toISOString(), updatedAt: now.toISOString() }).where(live(id));
    },
    async moveUnits(productId, delta, now) {
      await moveUnits.execute({
        productId,
        stock: delta.stock ?? 0,
        reserved: delta.reserved ?? 0,
        sold: delta.sold ?? 0,
        updatedAt: now.toISOString(),
      });
    },
    async reservationsOf(orderId) {
      return reservationsOf.execute({ orderId });
    },
    async insertReservations(rows) {
      for (const row of rows) await insertReservation.execute(row);
    },
    async setReservationStatus(orderId, status, now) {
      await setReservationStatus.execute({ orderId, status, updatedAt: now.toISOString() });
    },
    async rejectionOf(orderId) {
      return (await rejectionOf.execute({ orderId }))[0];
    },
    async insertRejection(row) {
      await db.insert(stockRejections).values(row);
    },
    async wasReleasedUnreserved(orderId) {
      return (await releasedOf.execute({ orderId })).length > 0;
    },
    async recordReleasedUnreserved(orderId, now) {
      await db.insert(releasedUnreserved).values({ orderId, releasedAt: now.toISOString() }).onConflictDoNothing();
    },
  };
}

/** The PostgreSQL store of products: its schema, its migrations beside this file, and the store. */
export const productsPostgres: PostgresStoreParts<typeof schema, ProductsStore> = {
  schema,
  migrations: new URL('./migrations', import.meta.url),
  store: postgresProductsStore,
};
