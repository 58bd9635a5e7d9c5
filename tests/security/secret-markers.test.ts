import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingNames } from '../../app/server/config';
import { secretSettingNames } from '../../app/server/secret-settings';
import { connectBroker } from '../../broker/connect';
import { openPostgres } from '../../db/postgres';
import { callJson } from '../../lib/http-client';
import { waitFor } from '../../lib/wait';
import { ordersPostgres } from '../../services/orders/postgres/store';
import { CARDS } from '../support/api';
import { captureLogs } from '../support/captured-logs';
import { dlq } from '../support/dlq-cli';
import { runApp } from '../startup/running-app';
import { fatal, startApp } from '../startup/start-app';

/**
 * Every secret setting gets a value holding a marker of its own; whatever the shop prints, in
 * failing starts and in a whole run that logs every line, must hold none of them.
 */
const marker: Record<string, string> = Object.fromEntries(
  secretSettingNames.map((name) => [name, `MARKER-${name}-${randomBytes(8).toString('hex')}`]),
);
const isAmqp = (name: string) => name.startsWith('BROKER_URL');
const isPostgres = (name: string) => name.startsWith('DATABASE_URL');
const urls = secretSettingNames.filter((name) => isAmqp(name) || isPostgres(name));

/** A valid value for each secret setting (CARD_TOKEN_KEYS left out: it excludes CARD_TOKEN_KEY), each with its marker. */
const valid = Object.fromEntries(
  secretSettingNames
    .filter((name) => name !== 'CARD_TOKEN_KEYS')
    .map((name) => {
      if (isAmqp(name)) return [name, `amqp://shop:${marker[name]}@rabbit:5672/shop`];
      if (isPostgres(name)) return [name, `postgres://shop:${marker[name]}@db:5432/shop`];
      return [name, marker[name]!];
    }),
);
const cardKeys = `${marker.CARD_TOKEN_KEYS}-new,${marker.CARD_TOKEN_KEYS}-old`;
/** The three secrets the embedded shop runs on, strong enough for production. */
const appSecrets = {
  JWT_SECRET: marker.JWT_SECRET!,
  CARD_TOKEN_KEY: marker.CARD_TOKEN_KEY!,
  ADMIN_PASSWORD: marker.ADMIN_PASSWORD!,
};

/** Each line of `output` holding a marker fails the test, shown with the setting it came from. */
function expectNoMarker(output: string, where: string) {
  const found = output.split('\n').flatMap((line) =>
    Object.entries(marker)
      .filter(([, mark]) => line.includes(mark))
      .map(([name]) => `${name} in: ${line}`),
  );
  expect(found, where).toEqual([]);
}

/** The ConfigError loadConfig throws for `env`; fails the test if it throws none. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${Object.keys(env).join(', ')}`);
}

/** Each value written to a file of its own: `<NAME>_FILE` settings naming them. */
async function asFiles(values: Record<string, string>): Promise<Record<string, string>> {
  const folder = await mkdtemp(join(tmpdir(), 'secret-markers-'));
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const path = join(folder, name.toLowerCase());
    await writeFile(path, `${value}\n`, { mode: 0o600 });
    settings[`${name}_FILE`] = path;
  }
  return settings;
}

describe('no secret setting shows in an error or a log line', () => {
  it('every setting named like a secret is one, and may come from a file', () => {
    const secretLike = settingNames.filter((name) => /SECRET|PASSWORD|KEY|_URL/.test(name));
    expect(secretLike.sort()).toEqual([...secretSettingNames].sort());
  });

  it('loadConfig refuses bad URLs, weak and malformed keys, and secret files, never quoting a secret', async () => {
    const messages: string[] = [];
    const refused = (env: NodeJS.ProcessEnv, message: string | RegExp) => {
      const text = refusal(env);
      expect(text).toMatch(message);
      messages.push(text);
    };
    for (const name of urls) {
      const scheme = isAmqp(name) ? 'http' : 'mysql';
      refused({ [name]: `${scheme}://shop:${marker[name]}@host:5672/shop` }, new RegExp(`^${name} must be `));
      refused({ [name]: `${scheme}://shop:${marker[name]}@host:port/shop` }, new RegExp(`^${name} must be `));
      refused({ [name]: `shop:${marker[name]}@host` }, new RegExp(`^${name} must be `));
    }
    refused(
      {
        NODE_ENV: 'production',
        ...Object.fromEntries(Object.entries(appSecrets).map(([k, v]) => [k, `change-me-${v}`])),
      },
      /^NODE_ENV=production refuses JWT_SECRET: a value published .*; ADMIN_PASSWORD: a value published/,
    );
    refused(
      {
        ...appSecrets,
        NODE_ENV: 'production',
        CARD_TOKEN_KEY: '',
        CARD_TOKEN_KEYS: `${cardKeys},change-me-${marker.CARD_TOKEN_KEYS}`,
      },
      'NODE_ENV=production refuses CARD_TOKEN_KEYS key 3: a value published in this repository',
    );
    refused(
      { CARD_TOKEN_KEYS: `${marker.CARD_TOKEN_KEYS},,${marker.CARD_TOKEN_KEYS}` },
      /^CARD_TOKEN_KEYS has an empty key .*; CARD_TOKEN_KEYS lists one key twice/,
    );
    refused(
      { CARD_TOKEN_KEY: marker.CARD_TOKEN_KEY, CARD_TOKEN_KEYS: cardKeys },
      /^set CARD_TOKEN_KEY \(one key\) or CARD_TOKEN_KEYS/,
    );
    const files = await asFiles({ ...valid, CARD_TOKEN_KEYS: cardKeys });
    for (const name of secretSettingNames) {
      refused(
        { [name]: valid[name] ?? cardKeys, [`${name}_FILE`]: files[`${name}_FILE`] },
        `set ${name} or ${name}_FILE, not both`,
      );
      refused(
        { [`${name}_FILE`]: `${files[`${name}_FILE`]}.missing` },
        new RegExp(`^${name}_FILE: cannot read .*\\.missing \\(ENOENT\\)$`),
      );
    }
    expectNoMarker(messages.join('\n'), 'the messages of loadConfig');
  });

  it('loadConfig takes every secret from the environment or from files', async () => {
    const production = { NODE_ENV: 'production' };
    const inEnv = loadConfig({ ...production, ...valid });
    const { CARD_TOKEN_KEY: _oneKey, ...others } = valid;
    const fromFiles = loadConfig({ ...production, ...(await asFiles({ ...others, CARD_TOKEN_KEYS: cardKeys })) });
    for (const config of [inEnv, fromFiles]) {
      expect(config.jwt.secret).toBe(marker.JWT_SECRET);
      expect(config.admin.password).toBe(marker.ADMIN_PASSWORD);
      expect(config.brokerUrl).toBe(valid.BROKER_URL);
      expect(config.serviceBrokerUrls.orders).toBe(valid.BROKER_URL_ORDERS);
      expect(config.databases.payments).toMatchObject({ url: valid.DATABASE_URL_PAYMENTS });
    }
    expect(inEnv.cardKeys).toEqual([marker.CARD_TOKEN_KEY]);
    expect(fromFiles.cardKeys).toEqual(cardKeys.split(','));
  });

  it('a broker or database that cannot be reached is named with its URL masked, in the error and each log line', async () => {
    const { logger, lines } = captureLogs('trace');
    const config = loadConfig({ BROKER_URL: `amqp://shop:${marker.BROKER_URL}@127.0.0.1:1` });
    const broker = connectBroker({ ...config, connectTimeoutMs: 1_000 }, logger);
    await expect(broker).rejects.toThrow(/^RabbitMQ at amqp:\/\/shop:\*\*\*@127\.0\.0\.1:1: not reachable within 1 s/);
    expect(lines.length, 'a line per try').toBeGreaterThan(0);
    const database = openPostgres(
      { url: `postgres://shop:${marker.DATABASE_URL}@127.0.0.1:1/shop`, schema: 'orders' },
      ordersPostgres,
    );
    await expect(database).rejects.toThrow(
      /^PostgreSQL at postgres:\/\/shop:\*\*\*@127\.0\.0\.1:1\/shop: connect ECONNREFUSED/,
    );
    const errors = await Promise.all([broker.catch(String), database.catch(String)]);
    expectNoMarker([...errors, ...lines].join('\n'), 'the errors and the log lines');
  });
});

describe('no secret setting shows in what the shop prints', () => {
  const debug = { LOG_LEVEL: 'debug', ...appSecrets };

  it.each([
    [
      'a BROKER_URL that is not AMQP, with a password',
      { BROKER_URL: `http://shop:${marker.BROKER_URL}@127.0.0.1:5672` },
      /^BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL, or several separated by commas, not "http:\/\/shop:\*\*\*@127\.0\.0\.1:5672\/"$/,
    ],
    [
      'a BROKER_URL with a password where nothing listens',
      { BROKER_URL: `amqp://shop:${marker.BROKER_URL}@127.0.0.1:1`, BROKER_CONNECT_TIMEOUT_MS: '1500' },
      /^BROKER_URL: RabbitMQ at amqp:\/\/shop:\*\*\*@127\.0\.0\.1:1: not reachable within 1\.5 s/,
    ],
    [
      'a DATABASE_URL with a password where nothing listens',
      { DATABASE_URL: `postgres://shop:${marker.DATABASE_URL}@127.0.0.1:1/shop` },
      /ECONNREFUSED 127\.0\.0\.1:1/,
    ],
    [
      'NODE_ENV=production with published and short secrets',
      {
        NODE_ENV: 'production',
        JWT_SECRET: `change-me-${marker.JWT_SECRET}`,
        CARD_TOKEN_KEY: '',
        CARD_TOKEN_KEYS: `${cardKeys},${marker.CARD_TOKEN_KEYS!.slice(0, 20)}`,
        ADMIN_PASSWORD: `change-me-${marker.ADMIN_PASSWORD}`,
      },
      /^NODE_ENV=production refuses JWT_SECRET: a value published in this repository; CARD_TOKEN_KEYS key 3: shorter than 32 characters; ADMIN_PASSWORD: a value published/,
    ],
    [
      'a secret set twice, and a secret file that is missing',
      { JWT_SECRET_FILE: '/run/secrets/jwt', ADMIN_PASSWORD: '', ADMIN_PASSWORD_FILE: '/nonexistent/admin' },
      /^set JWT_SECRET or JWT_SECRET_FILE, not both; ADMIN_PASSWORD_FILE: cannot read \/nonexistent\/admin \(ENOENT\)$/,
    ],
  ])('a start refused: %s', async (_what, env, message) => {
    const attempt = await startApp({ ...debug, ...env });
    expect(attempt.code, attempt.output).toBe(1);
    expect(fatal(attempt).map((line) => line.msg)).toEqual([expect.stringMatching(message)]);
    expectNoMarker(attempt.output, 'what the refused start printed');
  });

  it.each([
    ['in the environment', async () => ({ ...appSecrets })],
    [
      'in files, with two card keys',
      async () => {
        const { CARD_TOKEN_KEY: _oneKey, ...others } = appSecrets;
        return asFiles({ ...others, CARD_TOKEN_KEYS: cardKeys });
      },
    ],
  ])('a whole run with every secret %s, every line logged', { timeout: 120_000 }, async (_where, settings) => {
    const app = await runApp({ LOG_LEVEL: 'debug', NODE_ENV: 'production', ...(await settings()) });
    let output = '';
    try {
      await shopAt(app.url);
    } finally {
      output = await app.stop();
    }
    expect(output).toContain('"msg":"shop is listening"');
    expect(output, 'an access-log line per request').toMatch(/"path":"\/orders"/);
    expectNoMarker(output, 'what the running shop printed');
  });

  it('the dlq command, refusing a broker URL or failing to reach one', { timeout: 60_000 }, async () => {
    const refused = await dlq({ ...debug, BROKER_URL: `http://shop:${marker.BROKER_URL}@127.0.0.1:5672` }, 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL/);
    const unreachable = await dlq({ ...debug, BROKER_URL: `amqp://shop:${marker.BROKER_URL}@127.0.0.1:1` }, 'list');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: RabbitMQ at amqp:\/\/shop:\*\*\*@127\.0\.0\.1:1: not reachable/m);
    expectNoMarker(Object.values({ ...refused, ...unreachable }).join('\n'), 'what dlq printed');
  });
});

/**
 * What uses every secret of a running shop: the admin logs in with ADMIN_PASSWORD, under a
 * token JWT_SECRET signs; a customer's order settles, its card sealed and opened with the card keys.
 */
async function shopAt(url: string) {
  const send = (method: string, path: string, body?: unknown, token?: string) =>
    callJson(url, path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const admin = await send('POST', '/auth/login', { email: 'admin@example.com', password: marker.ADMIN_PASSWORD });
  expect(admin.status).toBe(200);
  await jwtVerify(admin.body.token, new TextEncoder().encode(marker.JWT_SECRET), {
    issuer: 'saga-shop',
    audience: 'saga-shop',
  });
  const mug = await send('POST', '/products', { name: 'Mug', priceCents: 1250, stock: 10 }, admin.body.token);
  expect(mug.status).toBe(201);
  const customer = { name: 'Ann', email: 'ann@example.com', password: 'correct-horse-battery' };
  expect((await send('POST', '/auth/register', customer)).status).toBe(201);
  const login = await send('POST', '/auth/login', { email: customer.email, password: customer.password });
  const order = await send(
    'POST',
    '/orders',
    { items: [{ productId: mug.body.id, quantity: 1 }], payment: { cardNumber: CARDS.settles } },
    login.body.token,
  );
  expect(order.status).toBe(202);
  let status = 'PENDING';
  await waitFor(
    async () => {
      status = (await send('GET', `/orders/${order.body.id}`, undefined, login.body.token)).body.status;
      return status !== 'PENDING';
    },
    { timeoutMs: 20_000, what: 'the order to settle' },
  );
  expect(status, 'settled: the card opened under the keys it was sealed with').toBe('CONFIRMED');
}
