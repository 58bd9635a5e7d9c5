import { makeDatabase, onServer, type MadeDatabase } from '../databases';

/** The server tests make their databases on, as a user that may create and drop them. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of a test's own, as the TEST_DATABASE_URL user. */
export type ScratchPostgres = MadeDatabase;

/**
 * The vitest run the databases are made for (set by tests/support/postgres-run.ts, a
 * globalSetup), in their names, so that the run drops at its end whatever a test left behind
 * (one that timed out).
 */
const run = process.env.TEST_DATABASE_RUN;

/** A new, empty database with a random name on the test server; the test drops it when done. */
export const scratchPostgres = (): Promise<ScratchPostgres> =>
  makeDatabase(testDatabaseUrl, `saga_test_${run ? `${run}_` : ''}`);

/** Drops every database made for the run `runId` that is still there; how many. */
export async function dropRunDatabases(runId: string): Promise<number> {
  if (!/^[a-z0-9]+$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  const { rows } = await onServer<{ datname: string }>(
    testDatabaseUrl,
    `SELECT datname FROM pg_database WHERE datname LIKE 'saga\\_test\\_${runId}\\_%'`,
  );
  for (const { datname } of rows) await onServer(testDatabaseUrl, `DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  return rows.length;
}
