import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type OpenedDatabase } from '../../db/sqlite';

/**
 * A service's database on a file of its own in a fresh temporary folder, migrated, for the
 * tests beside the code; `remove()` closes it (if still open) and deletes the folder.
 */
export function scratchDatabase<TSchema extends Record<string, unknown>>(
  schema: TSchema,
  migrations: URL,
): OpenedDatabase<TSchema> & { remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'scratch-db-'));
  const opened = openDatabase(join(dir, 'service.db'), schema, fileURLToPath(migrations));
  return {
    ...opened,
    remove() {
      if (opened.client.open) opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
