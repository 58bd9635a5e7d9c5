import type { MessagingStore } from '../../broker/messaging/store';
import type { Product } from '../../contracts/rest';
import type { ProductRow, ReservationRow, StockRejectionRow } from './sqlite/schema';

export type { ProductRow, ReservationRow, StockRejectionRow };

/** Units moved between a product's counters, which sum to zero. */
export interface UnitMove {
  stock?: number;
  reserved?: number;
  sold?: number;
}

/** What the products service keeps: the catalogue, and each order's reservation (or why it had none). */
export interface ProductsStore extends MessagingStore {
  findProduct(id: string): Promise<ProductRow | undefined>;
  /**
   * The products an order reserves, held until the transaction ends (a row lock where writers
   * run side by side), so two reservations of the same units never both see them available.
   */
  productsToReserve(ids: readonly string[]): Promise<ProductRow[]>;
  insertProduct(row: ProductRow): Promise<void>;
  /** The catalogue: archived products are hidden. Keyset pagination by id; `name` matches a part, any case. */
  listProducts(limit: number, filter: { name?: string }, after?: string): Promise<ProductRow[]>;
  /** Changes what a product is called or costs; undefined when no live product has the id. */
  updateProduct(
    id: string,
    changes: Partial<Pick<ProductRow, 'name' | 'description' | 'priceCents'>>,
    now: Date,
  ): Promise<ProductRow | undefined>;
  /** New units count as available and as received, so stock conservation still adds up; undefined as above. */
  restock(id: string, quantity: number, now: Date): Promise<ProductRow | undefined>;
  /** Archives once: the first archive's time stays. */
  archiveProduct(id: string, now: Date): Promise<void>;
  /** Moves units between a product's counters. */
  moveUnits(productId: string, delta: UnitMove, now: Date): Promise<void>;

  reservationsOf(orderId: string): Promise<ReservationRow[]>;
  insertReservations(rows: readonly ReservationRow[]): Promise<void>;
  setReservationStatus(orderId: string, status: ReservationRow['status'], now: Date): Promise<void>;
  rejectionOf(orderId: string): Promise<StockRejectionRow | undefined>;
  insertRejection(row: StockRejectionRow): Promise<void>;
  wasReleasedUnreserved(orderId: string): Promise<boolean>;
  recordReleasedUnreserved(orderId: string, now: Date): Promise<void>;
}

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

/** `%`, `_` and the escape itself match literally in a LIKE pattern. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);
