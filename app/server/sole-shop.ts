import pg from 'pg';
import type { Config } from '../../platform/config';
import { ConfigError } from '../../platform/config';
import { redactUrl } from '../../lib/redact-url';

/** The session lock a shop on the embedded broker holds on each PostgreSQL database it uses. */
const LOCK_KEY = 'saga-shop: a shop on its embedded broker';

/**
 * The embedded broker lives in one process (its queues in DATA_DIR/broker.db), so a shop on
 * PostgreSQL without BROKER_URL is one instance: it holds a session-level advisory lock on each
 * of its databases for as long as it runs, and a second shop started on one of them is refused
 * (ConfigError, one line). Over RabbitMQ nothing is held: instances share the queues. The
 * operator commands (dlq, audit) never take it, so they run beside the shop.
 */
export async function holdSoleShop(config: Config): Promise<{ release(): Promise<void> }> {
  const urls =
    config.transport === 'in-process'
      ? [...new Set(Object.values(config.databases).flatMap((at) => (at.kind === 'postgres' ? [at.url] : [])))]
      : [];
  const held: pg.Client[] = [];
  const release = async () => void (await Promise.all(held.splice(0).map((client) => client.end().catch(() => {}))));
  try {
    for (const url of urls) {
      const client = new pg.Client({ connectionString: url, application_name: 'saga-shop sole shop' });
      // A lost session drops the lock with it; the shop's own connections report the outage.
      client.on('error', () => {});
      // As the stores say it: the host, port or user is a setting to fix.
      await client.connect().catch((error: Error) => {
        throw new Error(`PostgreSQL at ${redactUrl(url)}: ${error.message}`, { cause: error });
      });
      held.push(client);
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [LOCK_KEY],
      );
      if (!rows[0]!.locked)
        throw new ConfigError(
          'another shop runs on this database with its embedded broker, which is one process: stop it, or set BROKER_URL to run several instances over RabbitMQ',
        );
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { release };
}
