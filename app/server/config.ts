import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ServiceName } from '../../contracts';
import { stepNames, steps, type StepName } from '../../contracts/steps';
import { defaultRetryPolicy, MAX_RETRY_DELAY_MS } from '../../broker/messaging/retry-policy';
import { urlVariable } from '../../broker/operator/rabbitmq-permissions';
import { ConfigError, type Config } from '../../platform/config';
import { databaseLocation, databaseServices, databaseUrlVariable } from '../../db/locations';
import { redactUrls } from '../../lib/redact-url';
import { keyValuePairs, otlpTracesUrl, otlpUrl, samplers } from './otel-settings';
import { resolveSecretFiles, type ReadFile } from '../../lib/secret-files';
import { isAmqpUrl, nodeUrls } from '../../broker/rabbitmq/urls';
import { DEFAULT_DELIVERY_LIMIT, queueKind } from '../../broker/rabbitmq/topology';
import { DEFAULT_POOL_SIZE } from '../../db/postgres';
import {
  cardKeyList,
  DEV_ADMIN_PASSWORD,
  DEV_CARD_KEY,
  DEV_JWT_SECRET,
  NEVER_SHOWN,
  SECRETS,
  secretSettingNames,
  secretValues,
  weakSecrets,
  type Secret,
} from './secret-settings';

export { brokerUrlOf, ConfigError, type Config } from '../../platform/config';

// An empty variable counts as unset, as in a .env file or `VAR= npm start`.
const unset = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unset, schema.optional());

const wholePositive = { error: 'must be a positive whole number' };
const positive = (fallback: number) =>
  optional(z.coerce.number(wholePositive).int(wholePositive).positive(wholePositive)).transform(
    (value) => value ?? fallback,
  );

const portNumber = { error: 'must be a port number from 0 (any free one) to 65535' };
const portOrUnset = optional(z.coerce.number(portNumber).int(portNumber).min(0, portNumber).max(65_535, portNumber));
const port = portOrUnset.transform((value) => value ?? 3000);

const postgresUrl = z
  .string()
  .trim()
  .refine(
    (url) => URL.canParse(url) && /^postgres(ql)?:$/.test(new URL(url).protocol) && new URL(url).hostname !== '',
    {
      error: 'must be a postgres:// or postgresql:// URL',
    },
  );

/** One node's URL, or a cluster's nodes separated by commas (tried in turn, failing over). */
const amqpUrl = z
  .string()
  .trim()
  .refine((setting) => nodeUrls(setting).length > 0 && nodeUrls(setting).every(isAmqpUrl), {
    error: 'must be an amqp:// or amqps:// URL, or several separated by commas',
  });

/** `SAGA_STEP_TIMEOUTS_MS`: one number for every step, or `step=ms` pairs over the defaults. */
const stepTimeouts = optional(z.string()).transform((text, context) => {
  const timeouts = Object.fromEntries(stepNames.map((step) => [step, steps[step].defaultTimeoutMs])) as Record<
    StepName,
    number
  >;
  if (!text?.trim()) return timeouts;
  const ms = (value: string) => {
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed > 0) return parsed;
    context.addIssue({ code: 'custom', message: `needs whole milliseconds above 0`, input: value });
    return 0;
  };
  if (!text.includes('=')) {
    const all = ms(text.trim());
    for (const step of stepNames) timeouts[step] = all;
    return timeouts;
  }
  for (const pair of text.split(',')) {
    const [step = '', value = ''] = pair.split('=').map((part) => part.trim());
    if (!(stepNames as string[]).includes(step)) {
      context.addIssue({
        code: 'custom',
        message: `has no step "${step}" (steps: ${stepNames.join(', ')})`,
        input: '',
      });
    } else timeouts[step as StepName] = ms(value);
  }
  return timeouts;
});

// Set to the empty string on purpose, RETRY_DELAYS_MS means no retries: it is not `optional`.
const retryDelays = z
  .string()
  .optional()
  .transform((text, context) => {
    if (text === undefined) return [...defaultRetryPolicy.delaysMs];
    if (text.trim() === '') return [];
    return text.split(',').map((part) => {
      const delay = Number(part.trim());
      if (part.trim() === '' || !Number.isInteger(delay) || delay < 0 || delay > MAX_RETRY_DELAY_MS) {
        context.addIssue({
          code: 'custom',
          message: `must be comma-separated whole milliseconds from 0 to ${MAX_RETRY_DELAY_MS}`,
        });
      }
      return delay;
    });
  });

const fraction = { error: 'must be a fraction from 0 to 1' };
const DAY_MS = 24 * 60 * 60 * 1000;

const settings = z.object({
  NODE_ENV: z.string().optional(),
  PORT: port,
  INSTANCE_ID: optional(
    z.string().regex(/^[\w.:-]{1,200}$/, { error: 'must be 1 to 200 letters, digits, ".", ":", "-" or "_"' }),
  ).transform((id) => id ?? `${hostname()}-${process.pid}`),
  HEALTH_PORT: portOrUnset,
  METRICS_PORT: portOrUnset,
  DATA_DIR: optional(z.string()).transform((dir) => resolve(dir ?? './data')),
  BROKER_URL: optional(amqpUrl),
  ...Object.fromEntries(ServiceName.options.map((service) => [urlVariable(service), optional(amqpUrl)])),
  DATABASE_URL: optional(postgresUrl),
  ...Object.fromEntries(databaseServices.map((service) => [databaseUrlVariable(service), optional(postgresUrl)])),
  DATABASE_POOL_SIZE: positive(DEFAULT_POOL_SIZE),
  BROKER_NAMESPACE: optional(
    z.string().regex(/^[\w.-]{1,100}$/, { error: 'must be 1 to 100 letters, digits, ".", "-" or "_"' }),
  ).transform((namespace) => namespace ?? 'shop'),
  BROKER_CONNECT_TIMEOUT_MS: positive(30_000),
  BROKER_QUEUE_TYPE: optional(z.enum(['classic', 'quorum'], { error: 'must be classic or quorum' })).transform(
    (type) => type ?? 'classic',
  ),
  BROKER_DELIVERY_LIMIT: positive(DEFAULT_DELIVERY_LIMIT),
  JWT_SECRET: optional(z.string()),
  JWT_ISSUER: optional(z.string()).transform((issuer) => issuer ?? 'saga-shop'),
  JWT_AUDIENCE: optional(z.string()).transform((audience) => audience ?? 'saga-shop'),
  JWT_EXPIRES_IN_SECONDS: positive(3600),
  CARD_TOKEN_KEY: optional(z.string()),
  CARD_TOKEN_KEYS: optional(cardKeyList),
  ADMIN_EMAIL: optional(z.email({ error: 'must be an email address' })).transform((email) =>
    (email ?? 'admin@example.com').toLowerCase(),
  ),
  ADMIN_PASSWORD: optional(z.string()),
  SAGA_STEP_TIMEOUTS_MS: stepTimeouts,
  SAGA_MAX_EXTEND_MS: positive(60 * 60 * 1000),
  RETRY_DELAYS_MS: retryDelays,
  RETRY_JITTER: optional(z.coerce.number(fraction).min(0, fraction).max(1, fraction)).transform(
    (jitter) => jitter ?? defaultRetryPolicy.jitter,
  ),
  MAX_PENDING_ORDERS: positive(100),
  INBOX_RETENTION_MS: positive(7 * DAY_MS),
  TRACE_RETENTION_MS: positive(30 * DAY_MS),
  IDEMPOTENCY_RETENTION_MS: positive(DAY_MS),
  PRUNE_INTERVAL_MS: positive(60_000),
  LOGIN_MAX_FAILURES_PER_EMAIL: positive(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: positive(50),
  LOGIN_WINDOW_SECONDS: positive(15 * 60),
  REGISTER_MAX_PER_ADDRESS: positive(20),
  REGISTER_WINDOW_SECONDS: positive(60 * 60),
  TRUST_PROXY: optional(z.enum(['true', 'false'], { error: 'must be true or false' })).transform(
    (trust) => trust === 'true',
  ),
  // The OpenTelemetry SDK reads these itself (app/server/otel-settings.ts says why they are checked here).
  OTEL_SDK_DISABLED: optional(z.stringbool({ truthy: ['true'], falsy: ['false'], error: 'must be true or false' })),
  OTEL_TRACES_EXPORTER: optional(z.enum(['otlp', 'none'], { error: 'must be otlp or none' })),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(otlpUrl),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(otlpUrl),
  OTEL_EXPORTER_OTLP_HEADERS: optional(keyValuePairs('header')),
  OTEL_EXPORTER_OTLP_TIMEOUT: positive(10_000),
  OTEL_TRACES_SAMPLER: optional(z.enum(samplers, { error: `must be one of ${samplers.join(', ')}` })),
  OTEL_TRACES_SAMPLER_ARG: optional(z.coerce.number(fraction).min(0, fraction).max(1, fraction)),
  OTEL_SERVICE_NAME: optional(z.string()),
  OTEL_RESOURCE_ATTRIBUTES: optional(keyValuePairs('attribute')),
});

/** The variables the app reads (docs/contract.md lists each). */
export const settingNames = Object.keys(settings.shape);

export interface LoadOptions {
  /**
   * The secrets the caller signs, seals or logs in with: production refuses to run on a weak
   * one of these, and does not ask for the others.
   */
  secrets?: readonly Secret[];
  /** Reads a <NAME>_FILE (lib/secret-files.ts). */
  readFile?: ReadFile;
}

/**
 * Every setting, read from the environment and checked in one place; a secret's from its file
 * when <NAME>_FILE names one. Throws one ConfigError naming each bad variable and what it
 * expects, and, under NODE_ENV=production, when a secret of `secrets` is missing or weak: there a
 * development default would be a hole, not a convenience.
 */
export function loadConfig(
  given: NodeJS.ProcessEnv = process.env,
  { secrets = SECRETS, readFile }: LoadOptions = {},
): Config {
  const { env, problems } = resolveSecretFiles(given, secretSettingNames, readFile);
  const parsed = settings.safeParse(env);
  if (!parsed.success) {
    // Each problem names its variable and the value it refused (a step's own value, for pairs).
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const input = issue.input === undefined || typeof issue.input === 'string' ? issue.input : env[name];
      const value = input ?? env[name];
      // A URL's password stays out of the message, which is printed and logged; a key, all of it.
      const shown =
        input === '' || NEVER_SHOWN.has(name) ? '' : `, not "${value === undefined ? value : redactUrls(value)}"`;
      problems.push(`${name} ${issue.message}${shown}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems.join('; '));
  const values = parsed.data;
  if (values.CARD_TOKEN_KEY !== undefined && values.CARD_TOKEN_KEYS !== undefined) {
    throw new ConfigError('set CARD_TOKEN_KEY (one key) or CARD_TOKEN_KEYS (several), not both');
  }
  const insecureDefaults = SECRETS.filter((secret) => secretValues(values, secret)[0]![1] === undefined);
  if (values.NODE_ENV === 'production') {
    const weak = weakSecrets(values, secrets);
    if (weak.length > 0) throw new ConfigError(`NODE_ENV=production refuses ${weak.join('; ')}`);
  }
  const serviceBrokerUrls: Partial<Record<ServiceName, string>> = Object.fromEntries(
    ServiceName.options.flatMap((service) => {
      const url = (values as Record<string, unknown>)[urlVariable(service)];
      return typeof url === 'string' ? [[service, url]] : [];
    }),
  );
  const withoutUrl = ServiceName.options.filter((service) => !serviceBrokerUrls[service]);
  if (!values.BROKER_URL && withoutUrl.length > 0 && withoutUrl.length < ServiceName.options.length) {
    throw new ConfigError(`set BROKER_URL or ${withoutUrl.map(urlVariable).join(', ')}`);
  }
  return {
    port: values.PORT,
    instanceId: values.INSTANCE_ID,
    healthPort: values.HEALTH_PORT,
    metricsPort: values.METRICS_PORT,
    dataDir: values.DATA_DIR,
    databases: Object.fromEntries(
      databaseServices.map((service) => [service, databaseLocation(env, service, values.DATA_DIR)]),
    ) as Config['databases'],
    databasePoolSize: values.DATABASE_POOL_SIZE,
    transport: values.BROKER_URL || withoutUrl.length === 0 ? 'rabbitmq' : 'in-process',
    brokerUrl: values.BROKER_URL,
    serviceBrokerUrls,
    brokerNamespace: values.BROKER_NAMESPACE,
    brokerConnectTimeoutMs: values.BROKER_CONNECT_TIMEOUT_MS,
    queueKind: queueKind(values.BROKER_QUEUE_TYPE, values.BROKER_DELIVERY_LIMIT),
    jwt: {
      secret: values.JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: values.JWT_ISSUER,
      audience: values.JWT_AUDIENCE,
      expiresInSeconds: values.JWT_EXPIRES_IN_SECONDS,
    },
    admin: { email: values.ADMIN_EMAIL, password: values.ADMIN_PASSWORD ?? DEV_ADMIN_PASSWORD },
    stepTimeoutsMs: values.SAGA_STEP_TIMEOUTS_MS,
    maxExtendMs: values.SAGA_MAX_EXTEND_MS,
    retryPolicy: { delaysMs: values.RETRY_DELAYS_MS, jitter: values.RETRY_JITTER },
    maxPendingOrders: values.MAX_PENDING_ORDERS,
    retention: {
      inboxMs: values.INBOX_RETENTION_MS,
      traceMs: values.TRACE_RETENTION_MS,
      idempotencyMs: values.IDEMPOTENCY_RETENTION_MS,
      pruneEveryMs: values.PRUNE_INTERVAL_MS,
    },
    cardKeys: values.CARD_TOKEN_KEYS ?? [values.CARD_TOKEN_KEY ?? DEV_CARD_KEY],
    login: {
      maxFailuresPerEmail: values.LOGIN_MAX_FAILURES_PER_EMAIL,
      maxFailuresPerAddress: values.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: values.LOGIN_WINDOW_SECONDS,
    },
    register: { maxPerAddress: values.REGISTER_MAX_PER_ADDRESS, windowSeconds: values.REGISTER_WINDOW_SECONDS },
    trustProxy: values.TRUST_PROXY,
    otlpTracesUrl: otlpTracesUrl(values),
    insecureDefaults,
  };
}
