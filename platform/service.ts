import type Database from 'better-sqlite3';
import type { Hono } from 'hono';
import type { ServiceName } from '../contracts';
import type { Broker } from '../broker/broker';
import { Endpoint } from '../broker/messaging/endpoint';
import type { MessagingStore } from '../broker/messaging/store';
import type { Database as StoreDatabase } from '../db/database';
import { databaseFile, openSqlite, type SqliteStoreParts } from '../db/sqlite';
import type { Tokens } from '../http/auth';
import type { Logger } from '../lib/logger';
import type { Metrics } from './metrics';
import type { Config } from './config';
import { Pruner, type Prune } from './pruner';
import { storeHealth, storeHealthReader, type ServiceHealth } from './store-health';

/** What every service gets from the process that runs it. */
export interface ServiceDeps {
  config: Config;
  broker: Broker;
  tokens: Tokens;
  logger: Logger;
  metrics: Metrics;
}

/** A running part of the system: its routes, its consumer and outbox relay. */
export interface Service {
  name: ServiceName;
  // Each service types its own routes' env; the app only mounts them.
  routes: Hono<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<ServiceHealth>;
  /** Runs `read` on the service's own database connection: operators' reads (the audit) beside its routes. */
  read<T>(read: (client: Database.Database) => T): T;
}

/** What a service's own code is handed: its database, its side of the broker, and the process's dependencies. */
export interface ServiceContext<S extends ServiceName, St extends MessagingStore> extends ServiceDeps {
  database: StoreDatabase<St>;
  endpoint: Endpoint<S, St>;
}

/** The parts that make one service different from the others. */
export interface ServiceParts<
  S extends ServiceName,
  TSchema extends Record<string, unknown>,
  St extends MessagingStore,
> {
  name: S;
  sqlite: SqliteStoreParts<TSchema, St>;
  /** Its routes and how it starts consuming (and, for the orchestrator, what else it runs and stops). */
  setUp(context: ServiceContext<S, St>): {
    routes: Hono<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    start(): Promise<void>;
    stop?(): void;
    /** What the service adds to its health report beyond its database and outbox. */
    admission?(): Promise<ServiceHealth['admission']>;
    /** Its own rows kept for a while, beyond the inbox every service prunes. */
    prunes?: Record<string, Prune>;
  };
}

/**
 * A service as the process runs it: its own SQLite file under DATA_DIR (migrated on open), an
 * Endpoint on its broker with the configured retry policy, health from its database and
 * outbox, and a Pruner that keeps its inbox (and whatever else it keeps for a while) within
 * retention. Stopping stops what `setUp` started, the pruner, the relay, then closes the database.
 */
export function defineService<
  S extends ServiceName,
  TSchema extends Record<string, unknown>,
  St extends MessagingStore,
>(parts: ServiceParts<S, TSchema, St>): (deps: ServiceDeps) => Service {
  return (deps) => {
    const database = openSqlite(databaseFile(deps.config.dataDir, parts.name), parts.sqlite);
    const logger = deps.logger.child({ service: parts.name });
    const endpoint = new Endpoint(
      parts.name,
      database,
      deps.broker,
      logger,
      deps.config.retryPolicy,
      deps.metrics.message,
    );
    deps.metrics.outbox(parts.name, async () => (await storeHealth(database)).outbox);
    const readStoreHealth = storeHealthReader(database);
    const running = parts.setUp({ ...deps, logger, database, endpoint });
    const { inboxMs, pruneEveryMs } = deps.config.retention;
    const pruner = new Pruner(
      {
        inbox: (now, limit) =>
          database.transaction((store) => store.forgetHandledBefore(new Date(now.getTime() - inboxMs), limit)),
        ...running.prunes,
      },
      pruneEveryMs,
      logger,
    );
    return {
      name: parts.name,
      routes: running.routes,
      async start() {
        await running.start();
        pruner.start();
      },
      read: (read) => read(database.client),
      async health() {
        const admission = await running.admission?.();
        return { ...(await readStoreHealth()), ...(admission && { admission }) };
      },
      async stop() {
        running.stop?.();
        await pruner.stop();
        await endpoint.stop();
        await database.close();
      },
    };
  };
}
