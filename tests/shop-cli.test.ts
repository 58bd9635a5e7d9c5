import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDS } from './support/api';
import { expectInvariants } from './support/invariants';
import { serveOnFreePort } from './support/served';
import { startTestSystem, type TestSystem } from './support/system';

/** `saga-shop shop` end to end: a real shop on a free port, the CLI as a child process. */

const ROOT = join(import.meta.dirname, '..');
let dataDir: string;
let session: string;
let system: TestSystem;
let served: Awaited<ReturnType<typeof serveOnFreePort>>;
let url: string;
let mugId: string;

/** `saga-shop shop …` with `stdin` piped in; its exit code and what it printed. */
function shop(args: string[], { stdin = '', sessionFile = session } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/index.ts', 'shop', ...args], {
      cwd: ROOT,
      env: { ...process.env, SAGA_SHOP_SESSION: sessionFile, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  system = await startTestSystem('in-process');
  dataDir = system.dataDir;
  session = join(dataDir, 'cli', 'session.json');
  served = await serveOnFreePort(system.app);
  url = served.url;
  mugId = (await system.api.createProduct({ name: 'Mug', priceCents: 1250, stock: 10 })).id;
  const registered = await system.api.call('POST', '/auth/register', {
    body: { name: 'Ann', email: 'ann@example.com', password: 'correct-horse' },
  });
  expect(registered.status).toBe(201);
}, 30_000);

afterAll(async () => {
  await served?.close();
  await system?.stop();
});

describe('saga-shop shop', { timeout: 30_000 }, () => {
  it('logs in with the password from stdin and keeps the token in a file only its owner reads', async () => {
    const login = await shop(['login', '--email', 'ann@example.com', '--url', url], { stdin: 'correct-horse\n' });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toBe(`logged in to ${url} as ann@example.com; session kept in ${session}\n`);
    expect((await stat(session)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(session, 'utf8'))).toMatchObject({ url, email: 'ann@example.com' });

    const products = await shop(['products', 'list']);
    expect(products.stdout).toMatch(new RegExp(`^${mugId} +12\\.50 +10  Mug$`, 'm'));
  });

  it('places an order, follows it to CONFIRMED, then draws its saga; gets it again', async () => {
    const placed = await shop(['order', 'place', `${mugId}:2`, '--card', CARDS.settles]);
    expect(placed).toMatchObject({ code: 0, stderr: '' });
    const lines = placed.stdout.trimEnd().split('\n');
    const id = /^order (\S+) accepted$/.exec(lines[0]!)?.[1];
    expect(id).toBeDefined();
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^order ${id} CONFIRMED 25\\.00, invoice `)));
    expect(lines).toContainEqual(expect.stringMatching(/^ +orders +orchestrator +users +products +payments$/));
    expect(lines).toContainEqual(expect.stringMatching(/^CONFIRMED after \d+\.\d{3} s$/));

    const got = await shop(['order', 'get', id!]);
    expect(got.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(new RegExp(`^order ${id} CONFIRMED 25\\.00`)),
      '  2 × Mug 12.50',
    ]);
    expect(await shop(['order', 'cancel', id!])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: POST /orders/${id}/cancel: 409 order is already CONFIRMED\n`,
    });
  });

  it('draws the compensation of a declined order', async () => {
    const placed = await shop(['order', 'place', `${mugId}:1`, '--card', CARDS.declined]);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toMatch(/^order \S+ CANCELLED PAYMENT_DECLINED \(card_declined\)$/m);
    expect(placed.stdout).toMatch(/├═+▶│ +│ + ReleaseStock {2}↩ compensation/);
  });

  it('says what is wrong in one line, exit code 1: an unknown order, a bad token, no server, no session', async () => {
    const unknown = randomUUID();
    const badSession = join(dataDir, 'bad.json');
    await writeFile(badSession, JSON.stringify({ url, email: 'ann@example.com', token: 'not-a-jwt' }));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const downSession = join(dataDir, 'down.json');
    await writeFile(downSession, JSON.stringify({ url: deadUrl, email: 'x', token: 't' }));
    const cases = [
      [shop(['order', 'get', unknown]), `error: GET /orders/${unknown}: 404 `],
      [shop(['order', 'get', unknown], { sessionFile: badSession }), "error: the shop refused the session's token"],
      [shop(['products', 'list'], { sessionFile: downSession }), `error: cannot reach ${deadUrl}: ECONNREFUSED`],
      [shop(['products', 'list'], { sessionFile: join(dataDir, 'none.json') }), 'error: not logged in'],
      [shop(['order', 'place', 'mug:0', '--card', CARDS.settles]), 'error: "mug:0" is not productId:quantity'],
    ] as const;
    for (const [run, message] of cases) {
      const { code, stdout, stderr } = await run;
      expect({
        code,
        stdout,
        line: stderr.split('\n')[0]!.slice(0, message.length),
        lines: stderr.trim().split('\n').length,
      }).toEqual({
        code: 1,
        stdout: '',
        line: message,
        lines: 1,
      });
    }
  });

  it('leaves every service consistent: stock conserved, nothing oversold, every saga ended', async () => {
    await expectInvariants(system);
  });
});
