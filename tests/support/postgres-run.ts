import { randomBytes } from 'node:crypto';
import { dropRunDatabases } from '../../db/scratch/postgres';

/**
 * globalSetup of the PostgreSQL projects: names this run (TEST_DATABASE_RUN, which the test
 * workers inherit), so that every scratch database it makes carries the name, and drops at the
 * end those a test left behind: one that timed out never reaches its `stop()`.
 */
export default function setup(): () => Promise<void> {
  const runId = randomBytes(4).toString('hex');
  process.env.TEST_DATABASE_RUN = runId;
  return async () => {
    const left = await dropRunDatabases(runId);
    if (left > 0) console.warn(`dropped ${left} scratch database(s) a test left behind`);
  };
}
