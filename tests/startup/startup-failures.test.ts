import { createServer, type Server } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fatal, startApp, type Attempt } from './start-app';

/** A start that fails says what to change in one line, exits 1, and leaves no database behind. */
function expectOneLine(attempt: Attempt, message: RegExp) {
  expect(attempt.code, attempt.output).toBe(1);
  expect(fatal(attempt).map((line) => line.msg)).toEqual([expect.stringMatching(message)]);
  expect(attempt.output).not.toMatch(/\n\s+at /);
  expect(attempt.files.filter((file) => file.endsWith('.db'))).toEqual([]);
}

describe('a start that cannot succeed', () => {
  let taken: Server;
  let takenPort: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it.each([
    [
      'a PORT that is not a port',
      { PORT: 'eighty' },
      /^PORT must be a port number from 0 \(any free one\) to 65535, not "eighty"$/,
    ],
    [
      'a bad RETRY_DELAYS_MS',
      { RETRY_DELAYS_MS: '100,,500' },
      /^RETRY_DELAYS_MS must be comma-separated whole milliseconds/,
    ],
    [
      'a bad SAGA_STEP_TIMEOUTS_MS',
      { SAGA_STEP_TIMEOUTS_MS: 'payment=5' },
      /^SAGA_STEP_TIMEOUTS_MS has no step "payment"/,
    ],
    [
      'a BROKER_URL that is not AMQP',
      { BROKER_URL: 'localhost:5672' },
      /^BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL/,
    ],
    [
      'NODE_ENV=production with a short JWT_SECRET and the default admin password',
      { NODE_ENV: 'production', JWT_SECRET: 'x', CARD_TOKEN_KEY: 'a-card-sealing-key-of-32-characters' },
      /^NODE_ENV=production refuses JWT_SECRET: shorter than 32 characters; ADMIN_PASSWORD: unset, so the development default$/,
    ],
    [
      'a DATA_DIR under /proc',
      { DATA_DIR: '/proc/shop-data' },
      /^DATA_DIR \/proc\/shop-data cannot hold the databases: ENOENT/,
    ],
  ])('%s', async (_what, env, message) => {
    expectOneLine(await startApp(env), message);
  });

  it('a DATA_DIR that is a file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'startup-')), 'not-a-folder');
    await writeFile(file, '');
    expectOneLine(
      await startApp({ DATA_DIR: join(file, 'data') }),
      /^DATA_DIR .* cannot hold the databases: .* is a file, not a folder$/,
    );
  });

  it('a PORT already taken', async () => {
    expectOneLine(await startApp({ PORT: String(takenPort) }), new RegExp(`^PORT ${takenPort} is already in use`));
  });

  it('a HEALTH_PORT already taken', async () => {
    expectOneLine(
      await startApp({ HEALTH_PORT: String(takenPort) }),
      new RegExp(`^HEALTH_PORT ${takenPort} is already in use`),
    );
  });

  it('reads a .env in the working folder, under what the environment sets', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'startup-env-'));
    // Two bad settings in the file, one of them overridden by the environment: one line, for the other.
    await writeFile(join(folder, '.env'), 'RETRY_DELAYS_MS=100,,500\nRETRY_JITTER=2\n');
    expectOneLine(
      await startApp({ RETRY_JITTER: '0.5' }, [], folder),
      /^RETRY_DELAYS_MS must be comma-separated whole milliseconds/,
    );
  });

  it('an unknown service to run alone', async () => {
    expectOneLine(await startApp({}, ['shipping']), /^no service "shipping": run one of users, products/);
  });

  it('a BROKER_URL where nothing listens: a line per try naming the URL, then one line naming the variable', async () => {
    const attempt = await startApp({
      BROKER_URL: `amqp://shop:s3cret@127.0.0.1:${takenPort + 0}`.replace(String(takenPort), '1'),
      BROKER_CONNECT_TIMEOUT_MS: '1500',
    });
    expectOneLine(
      attempt,
      /^BROKER_URL: RabbitMQ at amqp:\/\/shop:\*\*\*@127\.0\.0\.1:1: not reachable within 1\.5 s \(connect ECONNREFUSED/,
    );
    const tries = attempt.lines.filter((line) => line.msg === 'RabbitMQ not reachable; trying its next node');
    expect(tries.length).toBeGreaterThan(0);
    expect(tries[0]).toMatchObject({ url: 'amqp://shop:***@127.0.0.1:1', attempt: 1 });
    expect(attempt.output).not.toContain('s3cret');
  });
});
