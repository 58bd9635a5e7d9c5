import { resolve } from 'node:path';
import type { StepName } from '../saga/steps';
import { parseStepTimeouts } from '../saga/step-timeouts';

const DEV_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
const DEV_CARD_KEY = 'development-only-card-sealing-key';

export interface Config {
  port: number;
  dataDir: string;
  /** Unset: the in-process broker. */
  brokerUrl: string | undefined;
  /** Prefix of every RabbitMQ exchange and queue name, so several systems can share a vhost. */
  brokerNamespace: string;
  jwt: { secret: string; issuer: string; audience: string; expiresInSeconds: number };
  admin: { email: string; password: string };
  /** How long each saga step may take (SAGA_STEP_TIMEOUTS_MS). */
  stepTimeoutsMs: Record<StepName, number>;
  /** Seals card numbers between orders and payments; see contracts/card-token.ts. */
  cardKey: string;
  /** Settings left at their development defaults, to warn about at start. */
  insecureDefaults: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const insecureDefaults = ['JWT_SECRET', 'CARD_TOKEN_KEY'].filter((name) => !env[name]);
  return {
    port: Number(env.PORT ?? 3000),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    brokerUrl: env.BROKER_URL || undefined,
    brokerNamespace: env.BROKER_NAMESPACE ?? 'shop',
    jwt: {
      secret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: env.JWT_ISSUER ?? 'saga-shop',
      audience: env.JWT_AUDIENCE ?? 'saga-shop',
      expiresInSeconds: Number(env.JWT_EXPIRES_IN_SECONDS ?? 3600),
    },
    admin: {
      email: (env.ADMIN_EMAIL ?? 'admin@example.com').toLowerCase(),
      password: env.ADMIN_PASSWORD ?? 'admin',
    },
    stepTimeoutsMs: parseStepTimeouts(env.SAGA_STEP_TIMEOUTS_MS),
    cardKey: env.CARD_TOKEN_KEY ?? DEV_CARD_KEY,
    insecureDefaults,
  };
}
