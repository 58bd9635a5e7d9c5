import type { Hono } from 'hono';
import type { ServiceName } from '../contracts';
import type { Broker } from '../broker/broker';
import { Endpoint } from '../broker/messaging/endpoint';
import type { MessagingStore } from '../broker/messaging/store';
import type { Database as StoreDatabase } from '../db/database';
import { openPostgres, type PostgresStoreParts } from '../db/postgres';
import { openSqlite, type SqliteStoreParts } from '../db/sqlite';
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
  /** Its database, for operators' reads (the audit) beside its routes. */
  database: Pick<StoreDatabase<unknown>, 'snapshot'>;
}

/** What a service's own code is handed: its database, its side of the broker, and the process's dependencies. */
export interface ServiceContext<S extends ServiceName, St extends MessagingStore> extends ServiceDeps {
  database: StoreDatabase<St>;
  endpoint: Endpoint<S, St>;
}

/** The parts that make one service different from the others. */
export interface ServiceParts<
  S extends ServiceName,
  TSqlite extends Record<string, unknown>,
  TPostgres extends Record<string, unknown>,
  St extends MessagingStore,
> {
  name: S;
  /** Its store on each database: the same interface, so nothing else of the service differs. */
  sqlite: SqliteStoreParts<TSqlite, St>;
  postgres: PostgresStoreParts<TPostgres, St>;
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
 * A service as the process runs it: its own database (a SQLite file under DATA_DIR, or its schema
 * on PostgreSQL; migrated on open), an
 * Endpoint on its broker with the configured retry policy, health from its database and
 * outbox, and a Pruner that keeps its inbox (and whatever else it keeps for a while) within
 * retention. Stopping stops what `setUp` started, the pruner, the relay, then closes the database.
 */
export function defineService<
  S extends ServiceName,
  TSqlite extends Record<string, unknown>,
  TPostgres extends Record<string, unknown>,
  St extends MessagingStore,
>(parts: ServiceParts<S, TSqlite, TPostgres, St>): (deps: ServiceDeps) => Promise<Service> {
  return async (deps) => {
    const location = deps.config.databases[parts.name];
    const database =
      location.kind === 'sqlite'
        ? openSqlite(location.file, parts.sqlite)
        : await openPostgres(location, parts.postgres, deps.config.databasePoolSize);
    const logger = deps.logger.child({ service: parts.name });
    const endpoint = new Endpoint(
      parts.name,
      deps.config.instanceId,
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
      database,
      async health() {
        const store = await readStoreHealth();
        // Admission reads the database too: with the database down, only that is said.
        const admission = store.database === 'ok' ? await running.admission?.().catch(() => undefined) : undefined;
        return { ...store, ...(admission && { admission }) };
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
