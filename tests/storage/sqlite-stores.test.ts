import type { SqliteStoreParts } from '../../db/sqlite';
import { messagingStoreContract } from '../../broker/messaging/store.contract';
import { ordersSqlite } from '../../services/orders/sqlite/store';
import { ordersStoreContract } from '../../services/orders/store.contract';
import { paymentsSqlite } from '../../services/payments/sqlite/store';
import { paymentsStoreContract } from '../../services/payments/store.contract';
import { productsSqlite } from '../../services/products/sqlite/store';
import { productsStoreContract } from '../../services/products/store.contract';
import { usersSqlite } from '../../services/users/sqlite/store';
import { usersStoreContract } from '../../services/users/store.contract';
import { sagaSqlite } from '../../saga/runtime/sqlite/store';
import { sagaSearchContract } from '../../saga/runtime/search.contract';
import { sagaStoreContract } from '../../saga/runtime/store.contract';
import { scratchDatabase } from '../../db/scratch/sqlite';
import type { DatabaseFactory } from '../../db/conformance/open-database';

/** The store conformance suite on SQLite: every test on a file of its own, removed after it. */
const onSqlite =
  <TSchema extends Record<string, unknown>, S>(parts: SqliteStoreParts<TSchema, S>): DatabaseFactory<S> =>
  async () => {
    const scratch = scratchDatabase(parts);
    return { database: scratch, cleanup: () => scratch.remove() };
  };

const stores = {
  users: onSqlite(usersSqlite),
  products: onSqlite(productsSqlite),
  orders: onSqlite(ordersSqlite),
  payments: onSqlite(paymentsSqlite),
  orchestrator: onSqlite(sagaSqlite),
};

for (const [service, factory] of Object.entries(stores)) messagingStoreContract(`SQLite ${service}`, factory);
usersStoreContract('SQLite', stores.users);
productsStoreContract('SQLite', stores.products);
ordersStoreContract('SQLite', stores.orders);
paymentsStoreContract('SQLite', stores.payments);
sagaStoreContract('SQLite', stores.orchestrator);
sagaSearchContract('SQLite', stores.orchestrator);
