import { resolve } from 'node:path';
import { urlVariable } from '../broker/rabbitmq-permissions';
import { ServiceName } from '../contracts';
import type { StepName } from '../saga/steps';
import { parseStepTimeouts } from '../saga/step-timeouts';

const DEV_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
const DEV_CARD_KEY = 'development-only-card-sealing-key';

export interface Config {
  port: number;
  dataDir: string;
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
  jwt: { secret: string; issuer: string; audience: string; expiresInSeconds: number };
  admin: { email: string; password: string };
  /** How long each saga step may take (SAGA_STEP_TIMEOUTS_MS). */
  stepTimeoutsMs: Record<StepName, number>;
  /** Seals card numbers between orders and payments; see contracts/card-token.ts. */
  cardKey: string;
  /** Failed logins allowed per email and per client address in each window. */
  login: { maxFailuresPerEmail: number; maxFailuresPerAddress: number; windowSeconds: number };
  /** Registrations allowed per client address in each window. */
  register: { maxPerAddress: number; windowSeconds: number };
  /** Whether a reverse proxy's X-Forwarded-For names the client (TRUST_PROXY=true), or the socket does. */
  trustProxy: boolean;
  /** Settings left at their development defaults, to warn about at start. */
  insecureDefaults: string[];
}

/** A setting that makes the process refuse to start. */
export class ConfigError extends Error {}

const SECRETS = ['JWT_SECRET', 'CARD_TOKEN_KEY'];

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive integer, not "${raw}"`);
  return value;
}

/**
 * The settings, from the environment. Throws ConfigError on a malformed number, and under
 * NODE_ENV=production when a secret is missing: there a development default would be a hole,
 * not a convenience.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const insecureDefaults = SECRETS.filter((name) => !env[name]);
  if (env.NODE_ENV === 'production' && insecureDefaults.length > 0) {
    throw new ConfigError(`NODE_ENV=production needs ${insecureDefaults.join(' and ')} to be set`);
  }
  const brokerUrl = env.BROKER_URL || undefined;
  const serviceBrokerUrls = Object.fromEntries(
    ServiceName.options.flatMap((service) => {
      const url = env[urlVariable(service)];
      return url ? [[service, url]] : [];
    }),
  );
  const withoutUrl = ServiceName.options.filter((service) => !serviceBrokerUrls[service]);
  if (!brokerUrl && withoutUrl.length > 0 && withoutUrl.length < ServiceName.options.length) {
    throw new ConfigError(`set BROKER_URL or ${withoutUrl.map(urlVariable).join(', ')}`);
  }
  return {
    port: positiveInteger(env, 'PORT', 3000),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    transport: brokerUrl || withoutUrl.length === 0 ? 'rabbitmq' : 'in-process',
    brokerUrl,
    serviceBrokerUrls,
    brokerNamespace: env.BROKER_NAMESPACE ?? 'shop',
    jwt: {
      secret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: env.JWT_ISSUER ?? 'saga-shop',
      audience: env.JWT_AUDIENCE ?? 'saga-shop',
      expiresInSeconds: positiveInteger(env, 'JWT_EXPIRES_IN_SECONDS', 3600),
    },
    admin: {
      email: (env.ADMIN_EMAIL ?? 'admin@example.com').toLowerCase(),
      password: env.ADMIN_PASSWORD ?? 'admin',
    },
    stepTimeoutsMs: parseStepTimeouts(env.SAGA_STEP_TIMEOUTS_MS),
    cardKey: env.CARD_TOKEN_KEY ?? DEV_CARD_KEY,
    login: {
      maxFailuresPerEmail: positiveInteger(env, 'LOGIN_MAX_FAILURES_PER_EMAIL', 5),
      maxFailuresPerAddress: positiveInteger(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 50),
      windowSeconds: positiveInteger(env, 'LOGIN_WINDOW_SECONDS', 15 * 60),
    },
    register: {
      maxPerAddress: positiveInteger(env, 'REGISTER_MAX_PER_ADDRESS', 20),
      windowSeconds: positiveInteger(env, 'REGISTER_WINDOW_SECONDS', 60 * 60),
    },
    trustProxy: env.TRUST_PROXY === 'true',
    insecureDefaults,
  };
}

/** The RabbitMQ URL `service` connects with; undefined on the in-process broker. */
export function brokerUrlOf(config: Pick<Config, 'brokerUrl' | 'serviceBrokerUrls'>, service: ServiceName) {
  return config.serviceBrokerUrls[service] ?? config.brokerUrl;
}
