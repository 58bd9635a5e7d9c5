import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../db/sqlite';
import { sagaSqlite } from './sqlite/store';
import { sagaUpgradeContract, type Upgrade } from './upgrade.contract';

/** The upgrade on a SQLite file: migrated as the release before, written by hand, opened by this one. */
const onSqlite: Upgrade = async (migrationsBefore, rows) => {
  const dir = mkdtempSync(join(tmpdir(), 'saga-upgrade-'));
  const file = join(dir, 'orchestrator.db');
  // Its schema only: today's store would not prepare its statements on the older tables.
  const older = openSqlite(file, { ...sagaSqlite, migrations: migrationsBefore, store: () => null });
  const insert = older.client.prepare(
    `INSERT INTO sagas (order_id, status, version, state, next_deadline_at, started_at, updated_at)
     VALUES (@orderId, @status, @version, @state, @nextDeadlineAt, @startedAt, @updatedAt)`,
  );
  for (const row of rows) insert.run({ ...row, state: JSON.stringify(row.state) });
  await older.close();
  const database = openSqlite(file, sagaSqlite);
  return {
    database,
    cleanup: async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

sagaUpgradeContract('SQLite', onSqlite, sagaSqlite.migrations);
