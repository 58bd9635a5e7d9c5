import { describe, expect, expectTypeOf, it } from 'vitest';
import { is, Table, type InferSelectModel } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqliteUsers from '../../services/users/sqlite/schema';
import * as pgUsers from '../../services/users/postgres/schema';
import * as sqliteProducts from '../../services/products/sqlite/schema';
import * as pgProducts from '../../services/products/postgres/schema';
import * as sqliteOrders from '../../services/orders/sqlite/schema';
import * as pgOrders from '../../services/orders/postgres/schema';
import * as sqlitePayments from '../../services/payments/sqlite/schema';
import * as pgPayments from '../../services/payments/postgres/schema';
import * as sqliteSaga from '../../saga/runtime/sqlite/schema';
import * as pgSaga from '../../saga/runtime/postgres/schema';

/**
 * A store is written once against its rows, whichever database keeps them: each PostgreSQL
 * schema must hold the same tables as its SQLite twin, with the same row types (checked by tsc)
 * and the same SQL names, keys and indexes (checked here).
 */

/** Every table a schema module exports, as the row type a select gives, less what only PostgreSQL keeps. */
type Rows<M> = {
  [K in keyof M as M[K] extends Table ? K : never]: M[K] extends Table
    ? Omit<InferSelectModel<M[K]>, PostgresOnly>
    : never;
};
/** The outbox's claim: several relays share a PostgreSQL outbox, while one SQLite relay keeps a cursor. */
type PostgresOnly = 'claimedUntil';
const postgresOnly = ['claimed_until'];

expectTypeOf<Rows<typeof pgUsers>>().toEqualTypeOf<Rows<typeof sqliteUsers>>();
expectTypeOf<Rows<typeof pgProducts>>().toEqualTypeOf<Rows<typeof sqliteProducts>>();
expectTypeOf<Rows<typeof pgOrders>>().toEqualTypeOf<Rows<typeof sqliteOrders>>();
expectTypeOf<Rows<typeof pgPayments>>().toEqualTypeOf<Rows<typeof sqlitePayments>>();
expectTypeOf<Rows<typeof pgSaga>>().toEqualTypeOf<Rows<typeof sqliteSaga>>();

/** What of a table's definition both dialects must agree on, in a form they share. */
function shape(config: ReturnType<typeof pgTableConfig> | ReturnType<typeof sqliteTableConfig>) {
  const columnNames = (columns: readonly { name: string }[]) => columns.map((column) => column.name);
  return {
    name: config.name,
    columns: config.columns
      .filter(({ name }) => !postgresOnly.includes(name))
      .map(({ name, notNull, primary, isUnique, hasDefault }) => ({
        name,
        notNull,
        primary,
        isUnique,
        hasDefault,
      })),
    primaryKeys: config.primaryKeys.map((key) => columnNames(key.columns)),
    indexes: config.indexes
      .map(({ config: index }) => ({
        name: index.name,
        unique: index.unique,
        on: index.columns.map((column) => ('name' in column ? column.name : String(column))),
      }))
      .sort((a, b) => a.name!.localeCompare(b.name!)),
  };
}

const tablesOf = <T extends Table>(module: object, isTable: (value: unknown) => value is T) =>
  Object.fromEntries(Object.entries(module).filter(([, value]) => isTable(value))) as Record<string, T>;

describe.each([
  ['users', sqliteUsers, pgUsers],
  ['products', sqliteProducts, pgProducts],
  ['orders', sqliteOrders, pgOrders],
  ['payments', sqlitePayments, pgPayments],
  ['orchestrator', sqliteSaga, pgSaga],
])('the %s schema on PostgreSQL', (_, sqlite, pg) => {
  const sqliteTables = tablesOf(sqlite, (value) => is(value, SQLiteTable));
  const pgTables = tablesOf(pg, (value) => is(value, PgTable));

  it('has the tables of its SQLite twin', () => {
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
  });

  it.each(Object.keys(sqliteTables))('names the columns, keys and indexes of %s as SQLite does', (table) => {
    expect(shape(pgTableConfig(pgTables[table]!))).toEqual(shape(sqliteTableConfig(sqliteTables[table]!)));
  });
});
