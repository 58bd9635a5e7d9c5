import {
  and,
  eq,
  getTableColumns,
  lt,
  or,
  sql,
  type Column,
  type Placeholder,
  type SQL,
  type Table,
} from 'drizzle-orm';

/**
 * Helpers for the statements a store prepares once and runs many times, on either database:
 * values are bound by name when a statement runs.
 */

/** A value bound when a prepared statement runs, by name. */
export const param = (name: string) => sql.placeholder(name);

/**
 * An insert's values for a prepared statement: one placeholder per column of `table`, named for
 * the column, less the `omitted` ones (a generated key), so a row object runs it as it is.
 */
export function rowParams<T extends Table, O extends keyof T['$inferSelect'] = never>(
  table: T,
  ...omitted: O[]
): Record<Exclude<keyof T['$inferInsert'], O>, Placeholder> {
  const names = Object.keys(getTableColumns(table)).filter((name) => !(omitted as string[]).includes(name));
  return Object.fromEntries(names.map((name) => [name, param(name)])) as Record<
    Exclude<keyof T['$inferInsert'], O>,
    Placeholder
  >;
}

/**
 * An update's values for a prepared statement, each a placeholder named for its column. drizzle's
 * types take no placeholder in set(), so each goes in as SQL (a JSON column's value is then
 * passed as its JSON text).
 */
export const setParams = <K extends string>(...names: K[]) =>
  Object.fromEntries(names.map((name) => [name, sql`${param(name)}`])) as Record<K, SQL>;

/**
 * Rows after `from` in a listing ordered newest first by `time`, ties broken by `id` (keyset
 * pagination: stable under inserts, unlike an offset).
 */
export const olderThan = (time: Column, id: Column, from: { time: string; id: string }) =>
  or(lt(time, from.time), and(eq(time, from.time), lt(id, from.id)));
