import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lib/wait';
import { cli as runCli, type Run } from './support/cli';
import { decorate } from './support/decorate';
import { serveOnFreePort } from './support/served';
import { startTestSystem, type TestSystem } from './support/system';

/** The event-trace CLI end to end: a real shop on a free port, the CLI as a child process. */

const ROOT = join(import.meta.dirname, '..');

let dataDir: string;
let system: TestSystem;
let served: Awaited<ReturnType<typeof serveOnFreePort>>;
let url: string;
let adminToken: string;
let confirmedId: string;
let customer: string;
let productId: string;
let dropPayments = false;
let declinedId: string;
/** The saga whose SettlePayment was lost, found stuck, then retried. */
let stuckId: string;

async function call(method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function login(email: string, password: string): Promise<string> {
  const { status, body } = await call('POST', '/auth/login', { email, password });
  expect(status).toBe(200);
  return body.token;
}

async function settledOrder(token: string, productId: string, cardNumber: string): Promise<string> {
  const placed = await call('POST', '/orders', { items: [{ productId, quantity: 1 }], payment: { cardNumber } }, token);
  expect(placed.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const { body } = await call('GET', `/orders/${placed.body.id}`, undefined, token);
    if (body.status !== 'PENDING') return placed.body.id;
    await sleep(25);
  }
  throw new Error(`order ${placed.body.id} still PENDING`);
}

/** `saga-shop trace …`, asynchronously: the shop answers it from this very process. */
function cli(...args: string[]): Promise<Run> {
  return cliWith({}, 'trace', ...args);
}

/** `saga-shop sagas …`. */
const sagas = (...args: string[]) => cliWith({}, 'sagas', ...args);

/** `saga-shop …` with `env`, its logs silenced. */
function cliWith(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return runCli({ LOG_LEVEL: 'silent', ...env }, ...args);
}

/** A message's own line (`+0.012s  …`), not one shown under it. */
const MESSAGE_LINE = /^ *[+-]\d/;
const typesOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => MESSAGE_LINE.test(line))
    .map((line) => line.trim().split(/\s+/)[4]);
/** The lines shown under the first message whose line matches `message`. */
function linesUnder(stdout: string, message: RegExp): string[] {
  const lines = stdout.trimEnd().split('\n').slice(0, -1); // less the final state's line
  const start = lines.findIndex((line) => message.test(line)) + 1;
  const next = lines.findIndex((line, i) => i >= start && MESSAGE_LINE.test(line));
  return lines.slice(start, next === -1 ? undefined : next);
}

beforeAll(async () => {
  system = await startTestSystem('in-process', {
    env: { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=120000' },
    // Loses every SettlePayment once `dropPayments` is set: a saga that waits on its payment.
    wrapBroker: (broker) =>
      decorate(broker, {
        publish: (routingKey: string, payload: string) =>
          dropPayments && routingKey.includes('SettlePayment')
            ? Promise.resolve()
            : broker.publish(routingKey, payload),
      }),
  });
  dataDir = system.dataDir;
  served = await serveOnFreePort(system.app);
  url = served.url;

  adminToken = await login('admin@example.com', 'admin');
  const product = await call('POST', '/products', { name: 'Lamp', priceCents: 1999, stock: 10 }, adminToken);
  expect(product.status).toBe(201);
  const email = `${randomUUID()}@example.com`;
  expect(
    (await call('POST', '/auth/register', { name: 'Ada', email, password: 'a-long-enough-password' })).status,
  ).toBe(201);
  customer = await login(email, 'a-long-enough-password');
  productId = product.body.id;

  confirmedId = await settledOrder(customer, product.body.id, '4242424242424242');
  declinedId = await settledOrder(customer, product.body.id, '4000000000000002');
}, 30_000);

afterAll(async () => {
  await served?.close();
  await system?.stop();
});

describe('saga-shop trace and sagas', { timeout: 30_000 }, () => {
  it('prints a confirmed saga over HTTP, logging in with the admin credentials', async () => {
    const { code, stdout, stderr } = await cli(confirmedId, '--url', url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const types = typesOf(stdout);
    expect(types.slice(0, 3)).toEqual(['OrderRequested', 'VerifyUser', 'ReserveStock']);
    expect(types.slice(3, 5).sort()).toEqual(['StockReserved', 'UserVerified']);
    expect(types.slice(5)).toEqual([
      'SettlePayment',
      'PaymentSettled',
      'CommitStock',
      'StockCommitted',
      'OrderConfirmed',
    ]);
    expect(stdout).toMatch(/^ \+0\.000s {2}orders → orchestrator +OrderRequested +applied$/m);
    expect(stdout).not.toContain('compensation');
    expect(stdout.trim().split('\n').at(-1)).toBe('CONFIRMED');
  });

  it('shows under each input what it changed, and with --payload each message’s data, the card sealed', async () => {
    const { code, stdout, stderr } = await cli(confirmedId, '--payload', '--url', url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [requested, ...started] = linesUnder(stdout, /OrderRequested +applied$/);
    expect(JSON.parse(requested!)).toMatchObject({
      orderId: confirmedId,
      card: { sealed: expect.any(String), last4: '4242' },
    });
    expect(stdout).not.toContain('4242424242424242');
    expect(started).toContain('    status: – → RUNNING');
    // A command sent changes nothing: its data alone.
    const [verify, ...more] = linesUnder(stdout, /VerifyUser +sent$/);
    expect(JSON.parse(verify!)).toMatchObject({ orderId: confirmedId });
    expect(more).toEqual([]);
    expect(linesUnder(stdout, /PaymentSettled +applied$/).slice(1)).toContain(
      '    steps.settlePayment: pending → succeeded',
    );
    expect(linesUnder(stdout, /StockCommitted +applied$/).slice(1)).toContain('    status: RUNNING → CONFIRMED');
    // The store file shows the same as the REST API.
    expect((await cli(confirmedId, '--payload', '--data-dir', dataDir)).stdout).toBe(stdout);
    // Without --payload, only what each input changed.
    const plain = (await cli(confirmedId, '--url', url)).stdout;
    expect(linesUnder(plain, /VerifyUser +sent$/)).toEqual([]);
    expect(linesUnder(plain, /PaymentSettled +applied$/)).toContain('    steps.settlePayment: pending → succeeded');
  });

  it('prints the same saga as JSON lines from the store file', async () => {
    const { code, stdout } = await cli(confirmedId, '--data-dir', dataDir, '--json');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.slice(0, -1).every((line) => line.kind === 'message')).toBe(true);
    expect(lines[0]).toMatchObject({
      type: 'OrderRequested',
      producer: 'orders',
      consumer: 'orchestrator',
      outcome: 'applied',
      offsetMs: 0,
    });
    expect(lines.at(-2)).toMatchObject({ type: 'OrderConfirmed', outcome: 'sent' });
    expect(lines.at(-1)).toEqual({ kind: 'end', orderId: confirmedId, status: 'CONFIRMED', terminal: true });
  });

  it('shows the compensation of a declined payment', async () => {
    const { code, stdout } = await cli(declinedId, '--url', url, '--token', adminToken);
    expect(code).toBe(0);
    const types = typesOf(stdout);
    expect(types).toContain('PaymentDeclined');
    expect(types.slice(-3)).toEqual(['ReleaseStock', 'StockReleased', 'OrderCancelled']);
    expect(stdout).toMatch(/orchestrator → products +ReleaseStock +sent {2}↩ compensation/);
    expect(stdout).toMatch(/products → orchestrator +StockReleased +applied {2}↩ compensation/);
    expect(stdout.trim().split('\n').at(-1)).toBe('CANCELLED PAYMENT_DECLINED (card_declined)');
  });

  it('draws the declined saga: a lifeline per service, the parallel steps, the compensation, the end', async () => {
    const { code, stdout, stderr } = await cli(declinedId, '--picture', '--url', url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]!.trim().split(/\s+/)).toEqual(['orders', 'orchestrator', 'users', 'products', 'payments']);
    expect(lines.filter((line) => line.includes('│') && line.includes('‖')).map((line) => line.split('‖ ')[1])).toEqual(
      ['VerifyUser', 'ReserveStock'],
    );
    expect(lines.find((line) => line.endsWith('ReleaseStock  ↩ compensation'))).toMatch(/├═+▶│/);
    expect(lines.at(-2)).toMatch(/^CANCELLED PAYMENT_DECLINED \(card_declined\) after \d+\.\d{3} s$/);

    const mermaid = await cli(declinedId, '--mermaid', '--data-dir', dataDir);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^sequenceDiagram\n {2}participant orders\n/);
    expect(mermaid.stdout).toContain('  orchestrator-->>products: ReleaseStock (+');
    expect(mermaid.stdout).toMatch(/ {2}par\n {4}orchestrator->>(users|products): /);
  });

  it('follows a finished saga to its end, from either source', async () => {
    for (const source of [
      ['--url', url],
      ['--data-dir', dataDir],
    ]) {
      const { code, stdout } = await cli(declinedId, '--follow', ...source);
      expect(code).toBe(0);
      expect(stdout.trim().split('\n').at(-1)).toBe('CANCELLED PAYMENT_DECLINED (card_declined)');
    }
  });

  it('sagas: lists them by status and age', async () => {
    const all = await sagas('--url', url);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`^${confirmedId} +CONFIRMED `, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^${declinedId} +CANCELLED `, 'm'));

    const cancelled = await sagas('--status', 'CANCELLED', '--data-dir', dataDir, '--json');
    expect(
      cancelled.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).orderId),
    ).toEqual([declinedId]);
    expect((await sagas('--status', 'CANCELLED', '--older-than', '1h', '--url', url)).stdout.trim()).toBe('no sagas');
    expect((await sagas('--older-than', 'soon', '--url', url)).stderr).toMatch(/"soon" is not a duration such as 90s/);
  });

  it('sagas --stuck: a saga whose payment command was lost, with the step it waits on', async () => {
    const none = await sagas('--stuck', '--url', url);
    expect(none.stderr).toBe('');
    expect(none.stdout.trim()).toBe('no sagas');
    dropPayments = true;
    const placed = await call(
      'POST',
      '/orders',
      { items: [{ productId, quantity: 1 }], payment: { cardNumber: '4242424242424242' } },
      customer,
    );
    expect(placed.status).toBe(202);
    await sleep(1_500);

    for (const source of [
      ['--url', url],
      ['--data-dir', dataDir],
    ]) {
      const stuck = await sagas('--stuck', '1s', ...source);
      expect(stuck.code).toBe(0);
      expect(stuck.stdout.trim().split('\n').slice(1)).toEqual([
        expect.stringMatching(
          new RegExp(`^${placed.body.id} +RUNNING .*nothing heard for \\d+\\.\\d s, waiting on settlePayment$`),
        ),
      ]);
    }
    const json = await sagas('--stuck', '1s', '--json', '--url', url);
    expect(JSON.parse(json.stdout)).toMatchObject({
      orderId: placed.body.id,
      stuck: expect.stringMatching(/settlePayment/),
    });
    expect((await sagas('--stuck', '1h', '--url', url)).stdout.trim()).toBe('no sagas');
    expect((await sagas('--status', 'PENDING', '--url', url)).stdout).toContain(placed.body.id);
    // `trace --list` is `sagas`, for the scripts that rely on it.
    expect((await cli('--list', '--status', 'PENDING', '--url', url)).stdout).toBe(
      (await sagas('--status', 'PENDING', '--url', url)).stdout,
    );

    stuckId = placed.body.id;
  });

  it('saga retry, cancel, extend: the shop and token from the environment', async () => {
    // The payments service is back: a retry, the shop and token from the environment, settles it.
    dropPayments = false;
    const env = { SAGA_SHOP_URL: url, SAGA_SHOP_TOKEN: adminToken };
    const retried = await cliWith(env, 'saga', 'retry', stuckId, '--reason', 'payments is back');
    expect(retried).toEqual({
      code: 0,
      stdout: `retry ${stuckId}: the saga is RUNNING; sent SettlePayment\n`,
      stderr: '',
    });
    await waitFor(
      async () => (await call('GET', `/orders/${stuckId}`, undefined, customer)).body.status === 'CONFIRMED',
      {
        what: 'the retried payment to settle',
      },
    );
    const ended = await cliWith(env, 'saga', 'cancel', stuckId, '--reason', 'too late');
    expect(ended).toMatchObject({ code: 1, stdout: '' });
    expect(ended.stderr).toMatch(/^error: cancel \S+: 409 the saga has ended: CONFIRMED/);
    expect((await cliWith(env, 'saga', 'extend', stuckId, '--reason', 'x', '--by', 'soon')).stderr).toMatch(
      /"soon" is not a duration such as 90s, 10m or 1h/,
    );
  });

  it('says its version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await cliWith({}, '--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('fails with one line on stderr and exit code 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const cases = [
      [[randomUUID(), '--url', url], /^error: unknown order /],
      [[randomUUID(), '--data-dir', dataDir], /^error: unknown order /],
      [[confirmedId, '--url', url, '--token', 'not-a-jwt'], /^error: the server refused the token/],
      [[confirmedId, '--url', deadUrl], /^error: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/],
      [[confirmedId, '--data-dir', join(dataDir, 'nowhere')], /^error: no saga store at /],
      [['--url', url], /^error: give the order id of a saga, or --list/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    cases.forEach(([args, message], i) => {
      const { code, stdout, stderr } = results[i]!;
      expect({ args, code, stdout }).toEqual({ args, code: 1, stdout: '' });
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    });
    // A bad setting, before anything else.
    const badSetting = await cliWith({ PORT: 'eighty' }, 'trace', confirmedId);
    expect(badSetting).toMatchObject({ code: 1, stdout: '' });
    expect(badSetting.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: PORT must be a port number/)]);
  });
});
