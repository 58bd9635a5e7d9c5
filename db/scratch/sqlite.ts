import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type SqliteStoreParts } from '../sqlite';

/**
 * A service's SQLite store on a file of its own in a fresh temporary folder, migrated, for the
 * tests beside the code; `remove()` closes it (if still open) and deletes the folder.
 */
export function scratchDatabase<TSchema extends Record<string, unknown>, S>(parts: SqliteStoreParts<TSchema, S>) {
  const dir = mkdtempSync(join(tmpdir(), 'scratch-db-'));
  const opened = openSqlite(join(dir, 'service.db'), parts);
  return {
    ...opened,
    async remove() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What `scratchDatabase(parts)` returns, for a variable assigned in a `beforeEach`. */
export type ScratchDatabase<P> =
  P extends SqliteStoreParts<infer TSchema, infer S> ? ReturnType<typeof scratchDatabase<TSchema, S>> : never;
