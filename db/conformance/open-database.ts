import { afterEach, beforeEach } from 'vitest';
import type { Database } from '../database';

/**
 * Opens a fresh, empty, migrated database of one store (a SQLite file, a PostgreSQL schema), and
 * how to remove what it left behind. Each store's conformance suite is written once against its
 * interface and run by each store's test file with its own factory, as the brokers' is.
 */
export type DatabaseFactory<S> = () => Promise<{ database: Database<S>; cleanup: () => Promise<void> }>;

/**
 * Gives every test of the enclosing describe a database of its own, opened before it and
 * removed after it; call inside the describe, use the returned function inside the tests.
 */
export function freshDatabaseEachTest<S>(makeDatabase: DatabaseFactory<S>): () => Database<S> {
  let opened: Awaited<ReturnType<DatabaseFactory<S>>> | undefined;
  beforeEach(async () => {
    opened = await makeDatabase();
  });
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });
  return () => {
    if (!opened) throw new Error('no database: use it inside a test');
    return opened.database;
  };
}

/** A time `seconds` after a fixed instant: the suites pass every time in, none is read from the clock. */
export const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, seconds));
/** The same, as the ISO text the stores keep. */
export const iso = (seconds: number) => at(seconds).toISOString();
