import type { DatabaseService } from '../../db/locations';
import { openStores, type StoreLocation } from '../support/end-state';

/**
 * Where a cluster keeps its services' state, for the fault kit's readers: a data folder (its
 * SQLite files), or a `StoreLocation` (a `Cluster` is one) that may name a PostgreSQL database.
 */
export type Where = string | StoreLocation;

export const locate = (where: Where): StoreLocation => (typeof where === 'string' ? { dataDir: where } : where);

/**
 * The rows `sql` selects from `service`'s store, read beside the running system. `sql` names
 * its tables through `table` (schema-qualified on PostgreSQL) and takes its parameters as `?`.
 */
export async function rows<T>(
  where: Where,
  service: DatabaseService,
  sql: (table: (name: string) => string) => string,
  ...params: unknown[]
): Promise<T[]> {
  const stores = await openStores(locate(where));
  try {
    return await stores.all<T>(service, sql, ...params);
  } finally {
    await stores.close();
  }
}
