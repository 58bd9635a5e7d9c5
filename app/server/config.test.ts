import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerUrlOf, ConfigError, loadConfig, type LoadOptions } from './config';

/** The message loadConfig refuses `env` with, or 'accepted'. */
function refusal(env: NodeJS.ProcessEnv, options?: LoadOptions): string {
  try {
    loadConfig(env, options);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

/** Writes each secret to a file of its own in a new folder; their paths, by name. */
async function secretFiles(contents: Record<string, string>): Promise<Record<string, string>> {
  const folder = await mkdtemp(join(tmpdir(), 'config-secrets-'));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(contents)) {
    paths[name] = join(folder, name.toLowerCase());
    await writeFile(paths[name], content);
  }
  return paths;
}

const strong = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a9f8e7d6c5b4a3928171605f4e3d2c1b0',
  CARD_TOKEN_KEY: 'k'.repeat(16) + 'ey-of-thirty-two-chars',
  ADMIN_PASSWORD: 'a long admin passphrase',
};

describe('configuration', () => {
  it('runs on development secrets outside production, and says which', () => {
    expect(loadConfig({}).insecureDefaults).toEqual(['JWT_SECRET', 'CARD_TOKEN_KEY', 'ADMIN_PASSWORD']);
  });

  it('refuses to start in production with a secret unset, published here or short, naming each but never its value', () => {
    expect(loadConfig(strong).insecureDefaults).toEqual([]);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      'NODE_ENV=production refuses JWT_SECRET: unset, so the development default; CARD_TOKEN_KEY: unset, so the development default; ADMIN_PASSWORD: unset, so the development default',
    );
    const refused = (changes: Record<string, string>) => refusal({ ...strong, ...changes });
    expect(refused({ JWT_SECRET: 'x' })).toBe('NODE_ENV=production refuses JWT_SECRET: shorter than 32 characters');
    expect(refused({ JWT_SECRET: 'change-me-to-a-long-random-string-of-64-characters' })).toBe(
      'NODE_ENV=production refuses JWT_SECRET: a value published in this repository',
    );
    expect(refused({ CARD_TOKEN_KEY: 'development-only-card-sealing-key' })).toBe(
      'NODE_ENV=production refuses CARD_TOKEN_KEY: a value published in this repository',
    );
    expect(refused({ ADMIN_PASSWORD: 'admin' })).toBe(
      'NODE_ENV=production refuses ADMIN_PASSWORD: a value published in this repository',
    );
    expect(refused({ ADMIN_PASSWORD: 'short-pass' })).toBe(
      'NODE_ENV=production refuses ADMIN_PASSWORD: shorter than 12 characters',
    );
  });

  it('asks production only for the secrets the caller uses', () => {
    const production = { NODE_ENV: 'production' };
    expect(refusal(production, { secrets: [] }), 'the dlq tool: it signs and seals nothing').toBe('accepted');
    expect(refusal(production, { secrets: ['ADMIN_PASSWORD'] })).toBe(
      'NODE_ENV=production refuses ADMIN_PASSWORD: unset, so the development default',
    );
    expect(refusal({ ...production, ADMIN_PASSWORD: strong.ADMIN_PASSWORD }, { secrets: ['ADMIN_PASSWORD'] })).toBe(
      'accepted',
    );
  });

  it('reads a secret from <NAME>_FILE, less one trailing newline, and checks it as if set directly', async () => {
    const files = await secretFiles({
      JWT_SECRET: `${strong.JWT_SECRET}\n`,
      CARD_TOKEN_KEYS: 'new-card-sealing-key-of-32-characters, old-card-sealing-key-of-32-characters\n',
      ADMIN_PASSWORD: strong.ADMIN_PASSWORD,
      DATABASE_URL_ORDERS: 'postgres://orders:from-a-file@db/shop\n',
      SHORT: 'short\n',
    });
    const fromFiles = {
      NODE_ENV: 'production',
      JWT_SECRET_FILE: files.JWT_SECRET!,
      CARD_TOKEN_KEYS_FILE: files.CARD_TOKEN_KEYS!,
      ADMIN_PASSWORD_FILE: files.ADMIN_PASSWORD!,
      DATABASE_URL_ORDERS_FILE: files.DATABASE_URL_ORDERS!,
    };
    const config = loadConfig(fromFiles);
    expect(config.jwt.secret).toBe(strong.JWT_SECRET);
    expect(config.cardKeys).toEqual(['new-card-sealing-key-of-32-characters', 'old-card-sealing-key-of-32-characters']);
    expect(config.admin.password).toBe(strong.ADMIN_PASSWORD);
    expect(config.databases.orders).toMatchObject({ url: 'postgres://orders:from-a-file@db/shop' });
    expect(config.insecureDefaults).toEqual([]);
    expect(refusal({ ...fromFiles, JWT_SECRET_FILE: files.SHORT! })).toBe(
      'NODE_ENV=production refuses JWT_SECRET: shorter than 32 characters',
    );
  });

  it('refuses a secret set twice, or a file it cannot read, naming variable and path and never a value', async () => {
    const files = await secretFiles({ ADMIN_PASSWORD: 'hunter2-in-a-file' });
    const twice = refusal({ ADMIN_PASSWORD: 'hunter2-in-the-env', ADMIN_PASSWORD_FILE: files.ADMIN_PASSWORD! });
    expect(twice).toBe('set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE, not both');
    const missing = join(tmpdir(), 'no-such-secret-file');
    expect(refusal({ BROKER_URL_FILE: missing, PORT: 'x' })).toBe(
      `BROKER_URL_FILE: cannot read ${missing} (ENOENT); PORT must be a port number from 0 (any free one) to 65535, not "x"`,
    );
  });

  it('takes CARD_TOKEN_KEYS newest first, or CARD_TOKEN_KEY alone, never both, and never shows a key', () => {
    expect(loadConfig({}).cardKeys).toEqual(['development-only-card-sealing-key']);
    expect(loadConfig({ CARD_TOKEN_KEY: 'one-key' }).cardKeys).toEqual(['one-key']);
    expect(loadConfig({ CARD_TOKEN_KEYS: 'newest-key , older-key,oldest-key' }).cardKeys).toEqual([
      'newest-key',
      'older-key',
      'oldest-key',
    ]);
    expect(loadConfig({ CARD_TOKEN_KEYS: 'a-key' }).insecureDefaults).toEqual(['JWT_SECRET', 'ADMIN_PASSWORD']);
    expect(refusal({ CARD_TOKEN_KEY: 'one-key', CARD_TOKEN_KEYS: 'newest-key,one-key' })).toBe(
      'set CARD_TOKEN_KEY (one key) or CARD_TOKEN_KEYS (several), not both',
    );
    expect(refusal({ CARD_TOKEN_KEYS: 'newest-key,,oldest-key' })).toBe('CARD_TOKEN_KEYS has an empty key (key 2)');
    expect(refusal({ CARD_TOKEN_KEYS: 'newest-key,oldest-key,newest-key' })).toBe(
      'CARD_TOKEN_KEYS lists one key twice (keys 1 and 3)',
    );
  });

  it('refuses in production each card key of CARD_TOKEN_KEYS that is short or published, by its place', () => {
    const { CARD_TOKEN_KEY: key, ...rest } = strong;
    expect(refusal({ ...rest, CARD_TOKEN_KEYS: `${key}-new,${key}` })).toBe('accepted');
    expect(refusal({ ...rest, CARD_TOKEN_KEYS: `${key}-new,short-old-key,development-only-card-sealing-key` })).toBe(
      'NODE_ENV=production refuses CARD_TOKEN_KEYS key 2: shorter than 32 characters; CARD_TOKEN_KEYS key 3: a value published in this repository',
    );
  });

  it('takes the token lifetime and login limits from the environment, refusing nonsense', () => {
    const config = loadConfig({ JWT_EXPIRES_IN_SECONDS: '60', LOGIN_MAX_FAILURES_PER_EMAIL: '3' });
    expect(config.jwt.expiresInSeconds).toBe(60);
    expect(config.login.maxFailuresPerEmail).toBe(3);
    expect(loadConfig({}).jwt.expiresInSeconds).toBe(3600);
    for (const bad of ['0', '-5', 'soon', '1.5']) {
      expect(() => loadConfig({ JWT_EXPIRES_IN_SECONDS: bad })).toThrow(ConfigError);
    }
  });

  it('connects a service with its own BROKER_URL_<SERVICE> over BROKER_URL, and needs one or the other for each', () => {
    expect(loadConfig({}).transport).toBe('in-process');
    const shared = loadConfig({ BROKER_URL: 'amqp://shared', BROKER_URL_ORDERS: 'amqp://orders' });
    expect(shared.transport).toBe('rabbitmq');
    expect(brokerUrlOf(shared, 'orders')).toBe('amqp://orders');
    expect(brokerUrlOf(shared, 'payments')).toBe('amqp://shared');

    const services = ['USERS', 'PRODUCTS', 'ORDERS', 'PAYMENTS', 'ORCHESTRATOR'];
    const own = loadConfig(Object.fromEntries(services.map((name) => [`BROKER_URL_${name}`, `amqp://${name}`])));
    expect(own.transport).toBe('rabbitmq');
    expect(brokerUrlOf(own, 'users')).toBe('amqp://USERS');
    expect(() => loadConfig({ BROKER_URL_ORDERS: 'amqp://orders' })).toThrow(
      'set BROKER_URL or BROKER_URL_ORCHESTRATOR, BROKER_URL_USERS, BROKER_URL_PRODUCTS, BROKER_URL_PAYMENTS',
    );
  });

  it('reads RETRY_DELAYS_MS and RETRY_JITTER over growing defaults', () => {
    expect(loadConfig({}).retryPolicy).toEqual({ delaysMs: [100, 500, 2_500], jitter: 0.2 });
    expect(loadConfig({ RETRY_DELAYS_MS: '50, 200,1000', RETRY_JITTER: '0' }).retryPolicy).toEqual({
      delaysMs: [50, 200, 1_000],
      jitter: 0,
    });
    expect(loadConfig({ RETRY_DELAYS_MS: '' }).retryPolicy.delaysMs, 'no retries at all').toEqual([]);
  });

  it('reads SAGA_STEP_TIMEOUTS_MS as one number for every step or step=ms pairs over the table', () => {
    expect(loadConfig({}).stepTimeoutsMs).toMatchObject({ verifyUser: 10_000, settlePayment: 30_000 });
    expect(Object.values(loadConfig({ SAGA_STEP_TIMEOUTS_MS: '250' }).stepTimeoutsMs)).toEqual(Array(6).fill(250));
    expect(loadConfig({ SAGA_STEP_TIMEOUTS_MS: 'settlePayment=60000, verifyUser=5' }).stepTimeoutsMs).toMatchObject({
      settlePayment: 60_000,
      verifyUser: 5,
      reserveStock: 10_000,
    });
  });

  it.each([
    ['PORT', 'eighty', /^PORT must be a port number from 0 \(any free one\) to 65535, not "eighty"$/],
    ['PORT', '70000', /^PORT must be a port number from 0 \(any free one\) to 65535, not "70000"$/],
    ['RETRY_DELAYS_MS', '100,,500', /^RETRY_DELAYS_MS must be comma-separated whole milliseconds/],
    ['RETRY_DELAYS_MS', '3600001', /^RETRY_DELAYS_MS must be/],
    ['RETRY_JITTER', 'lots', /^RETRY_JITTER must be a fraction from 0 to 1, not "lots"$/],
    ['RETRY_JITTER', '1.5', /^RETRY_JITTER .*, not "1.5"$/],
    ['SAGA_STEP_TIMEOUTS_MS', 'soon', /^SAGA_STEP_TIMEOUTS_MS needs whole milliseconds above 0, not "soon"$/],
    ['SAGA_STEP_TIMEOUTS_MS', 'shipIt=5', /^SAGA_STEP_TIMEOUTS_MS has no step "shipIt" \(steps: verifyUser, /],
    [
      'BROKER_URL',
      'http://rabbit',
      /^BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL, or several separated by commas, not "http:\/\/rabbit"$/,
    ],
    ['BROKER_URL', 'amqp://rabbit-1,http://rabbit-2', /^BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL, or several/],
    ['BROKER_URL', ' , ', /^BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL, or several/],
    ['BROKER_QUEUE_TYPE', 'mirrored', /^BROKER_QUEUE_TYPE must be classic or quorum, not "mirrored"$/],
    ['BROKER_DELIVERY_LIMIT', '0', /^BROKER_DELIVERY_LIMIT /],
    [
      'DATABASE_URL',
      'mysql://db/shop',
      /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, not "mysql:\/\/db\/shop"$/,
    ],
    ['DATABASE_URL_ORDERS', 'postgres://', /^DATABASE_URL_ORDERS must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ['BROKER_NAMESPACE', 'a b', /^BROKER_NAMESPACE must be 1 to 100 letters/],
    ['TRUST_PROXY', 'yes', /^TRUST_PROXY must be true or false, not "yes"$/],
    ['ADMIN_EMAIL', 'root', /^ADMIN_EMAIL must be an email address, not "root"$/],
  ])('refuses %s=%s in one line naming the variable and what it expects', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never repeats the password of a URL it refuses', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://shop:hunter2secret@db/shop' })).toThrow(
      'DATABASE_URL must be a postgres:// or postgresql:// URL, not "mysql://shop:***@db/shop"',
    );
    expect(() => loadConfig({ BROKER_URL: 'http://shop:hunter2secret@rabbit:5672' })).toThrow(
      'not "http://shop:***@rabbit:5672/"',
    );
    expect(() =>
      loadConfig({ BROKER_URL: 'amqp://shop:hunter2secret@rabbit-1:5672,http://shop:hunter2secret@rabbit-2:5672' }),
    ).toThrow('not "amqp://shop:***@rabbit-1:5672,http://shop:***@rabbit-2:5672/"');
  });

  it('takes a cluster as a list of nodes, on classic queues unless told quorum', () => {
    const nodes = 'amqp://shop:secret@rabbit-1:5672/shop, amqp://shop:secret@rabbit-2:5672/shop';
    expect(loadConfig({ BROKER_URL: nodes })).toMatchObject({
      brokerUrl: nodes.trim(),
      queueKind: { type: 'classic' },
    });
    expect(loadConfig({ BROKER_URL: nodes, BROKER_QUEUE_TYPE: 'quorum' }).queueKind).toEqual({
      type: 'quorum',
      deliveryLimit: 20,
    });
    expect(
      loadConfig({ BROKER_URL: nodes, BROKER_QUEUE_TYPE: 'quorum', BROKER_DELIVERY_LIMIT: '5' }).queueKind,
    ).toEqual({ type: 'quorum', deliveryLimit: 5 });
  });

  it('puts each service on SQLite under DATA_DIR unless a PostgreSQL URL names its database', () => {
    const config = loadConfig({
      DATA_DIR: '/var/shop',
      DATABASE_URL: 'postgres://shop@db/shop',
      DATABASE_URL_ORDERS: 'postgresql://orders:secret@orders-db/shop',
    });
    expect(config.databases.users).toEqual({ kind: 'postgres', url: 'postgres://shop@db/shop', schema: 'users' });
    expect(config.databases.orders).toEqual({
      kind: 'postgres',
      url: 'postgresql://orders:secret@orders-db/shop',
      schema: 'orders',
    });
    expect(loadConfig({ DATA_DIR: '/var/shop' }).databases.orchestrator).toEqual({
      kind: 'sqlite',
      file: '/var/shop/orchestrator.db',
    });
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', RETRY_JITTER: 'y' })).toThrow(/^PORT .*; RETRY_JITTER /);
  });
});
