import type { CardKeys, ServiceName } from '../contracts';
import type { RetryPolicy } from '../broker/messaging/retry-policy';
import type { QueueKind } from '../broker/rabbitmq/topology';
import type { JwtSettings } from '../http/auth';
import type { DatabaseLocation } from '../db/locations';

/** The settings every part of the system runs with; read and checked once, by `loadConfig` (app/server/config.ts). */
export interface Config {
  port: number;
  /** Names this process among the instances of its services (INSTANCE_ID): the messages it sends carry it. */
  instanceId: string;
  /** A port of its own for the probes, served from a thread of its own (app/server/health-listener.ts); none when unset. */
  healthPort: number | undefined;
  /**
   * A port of its own for GET /metrics (app/server/metrics-listener.ts), which PORT then does not
   * serve; unset, PORT serves it.
   */
  metricsPort: number | undefined;
  dataDir: string;
  /**
   * Where each service keeps its state: its SQLite file under DATA_DIR, or its schema on the
   * PostgreSQL of DATABASE_URL_<SERVICE> or DATABASE_URL.
   */
  databases: Record<ServiceName, DatabaseLocation>;
  /** Connections each service keeps to PostgreSQL (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  /** RabbitMQ when BROKER_URL or a BROKER_URL_<SERVICE> is set; the in-process broker otherwise. */
  transport: 'rabbitmq' | 'in-process';
  brokerUrl: string | undefined;
  /**
   * A service's own RabbitMQ URL (BROKER_URL_<SERVICE>), so that a process running several
   * services connects each as its own user (see `npm run broker:setup`). Overrides BROKER_URL.
   */
  serviceBrokerUrls: Partial<Record<ServiceName, string>>;
  /** Prefix of every RabbitMQ exchange and queue name, so several systems can share a vhost. */
  brokerNamespace: string;
  /** How long to keep trying to reach RabbitMQ at start before giving up. */
  brokerConnectTimeoutMs: number;
  /** BROKER_QUEUE_TYPE (classic or quorum) and, for quorum, BROKER_DELIVERY_LIMIT. */
  queueKind: QueueKind;
  jwt: JwtSettings;
  admin: { email: string; password: string };
  /**
   * How long each saga step may take (SAGA_STEP_TIMEOUTS_MS), over the step table's defaults;
   * a step of an older table may have none.
   */
  stepTimeoutsMs: Partial<Record<string, number>>;
  /** The most an operator may move a saga's deadlines on at once (SAGA_MAX_EXTEND_MS). */
  maxExtendMs: number;
  /** How a message whose handler failed is retried before it is dead-lettered. */
  retryPolicy: RetryPolicy;
  /**
   * Admission control: POST /orders answers 503 with Retry-After while this many orders are
   * still pending, so the orders it accepts settle well inside their deadlines instead of
   * queueing past them.
   */
  maxPendingOrders: number;
  /** How long what is only kept for a while is kept, and how often the rest is pruned. */
  retention: Retention;
  /**
   * Seal card numbers between orders and payments, newest first (CARD_TOKEN_KEYS, or the one
   * CARD_TOKEN_KEY): the newest seals, each opens what it sealed; see contracts/card-token.ts.
   */
  cardKeys: CardKeys;
  /** Failed logins allowed per email and per client address in each window. */
  login: { maxFailuresPerEmail: number; maxFailuresPerAddress: number; windowSeconds: number };
  /** Registrations allowed per client address in each window. */
  register: { maxPerAddress: number; windowSeconds: number };
  /** Whether a reverse proxy's X-Forwarded-For names the client (TRUST_PROXY=true), or the socket does. */
  trustProxy: boolean;
  /**
   * Where the OpenTelemetry SDK sends the spans (OTLP over HTTP), from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
   * or OTEL_EXPORTER_OTLP_ENDPOINT; none, and no SDK, when unset or turned off (app/server/otel-settings.ts).
   */
  otlpTracesUrl: string | undefined;
  /** Settings left at their development defaults, to warn about at start. */
  insecureDefaults: string[];
}

export interface Retention {
  /**
   * The deduplication window: how long a service remembers the id of a message it handled
   * (INBOX_RETENTION_MS). A duplicate arriving later than that is handled again.
   */
  inboxMs: number;
  /** How long the trace and step log of a saga that ended are kept (TRACE_RETENTION_MS). */
  traceMs: number;
  /** How long an order's Idempotency-Key answers with that order (IDEMPOTENCY_RETENTION_MS). */
  idempotencyMs: number;
  /** How often each service prunes what is past its retention (PRUNE_INTERVAL_MS). */
  pruneEveryMs: number;
}

/** A setting that makes the process refuse to start: its message names the variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The RabbitMQ URL `service` connects with; undefined on the in-process broker. */
export function brokerUrlOf(config: Pick<Config, 'brokerUrl' | 'serviceBrokerUrls'>, service: ServiceName) {
  return config.serviceBrokerUrls[service] ?? config.brokerUrl;
}
