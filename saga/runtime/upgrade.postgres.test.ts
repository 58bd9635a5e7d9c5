import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openPostgres } from '../../db/postgres';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import { sagaPostgres } from './postgres/store';
import { sagaUpgradeContract, type Upgrade } from './upgrade.contract';

/** The upgrade on a PostgreSQL schema: migrated as the release before, written by hand, opened by this one. */
let scratch: ScratchPostgres;
beforeAll(async () => {
  scratch = await scratchPostgres();
});
afterAll(async () => {
  await scratch?.drop();
});

let schemas = 0;
const onPostgres: Upgrade = async (migrationsBefore, rows) => {
  const schema = `upgrade_${++schemas}`;
  // Its schema only, no store: today's would not run on the older tables.
  const older = await openPostgres(
    { url: scratch.url, schema },
    { ...sagaPostgres, migrations: migrationsBefore, store: () => null },
    1,
  );
  await older.close();
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    for (const row of rows)
      await client.query(
        `INSERT INTO ${schema}.sagas (order_id, status, version, state, next_deadline_at, started_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
        [
          row.orderId,
          row.status,
          row.version,
          JSON.stringify(row.state),
          row.nextDeadlineAt,
          row.startedAt,
          row.updatedAt,
        ],
      );
  } finally {
    await client.end();
  }
  const database = await openPostgres({ url: scratch.url, schema }, sagaPostgres, 2);
  return { database, cleanup: () => database.close() };
};

sagaUpgradeContract('PostgreSQL', onPostgres, sagaPostgres.migrations);
