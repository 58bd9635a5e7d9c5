import type { Hono } from 'hono';
import type { Broker } from '../broker/broker';
import type { Tokens } from '../http/auth';
import type { Config } from './config';
import type { Logger } from './logger';

/** What every service gets from the process that runs it. */
export interface ServiceDeps {
  config: Config;
  broker: Broker;
  tokens: Tokens;
  logger: Logger;
}

/** A service's own view of its dependencies, for GET /health. */
export interface ServiceHealth {
  database: 'ok' | 'down';
  outbox: {
    /** Down when a message has waited so long that the relay evidently cannot publish. */
    status: 'ok' | 'down';
    /** Messages committed but not yet published; null when the database cannot tell. */
    pending: number | null;
    oldestAgeSeconds: number | null;
  };
}

/** A running part of the system: its routes, its consumer and outbox relay. */
export interface Service {
  name: string;
  // Each service types its own routes' env; the app only mounts them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  routes: Hono<any>;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<ServiceHealth>;
}
