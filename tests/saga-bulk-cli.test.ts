import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lib/wait';
import { cli as runCli, spawnCli } from './support/cli';
import { withFaults, type FaultyBroker } from './support/faulty-broker';
import { expectInvariants } from './support/invariants';
import { serveOnFreePort } from './support/served';
import { startTestSystem, type TestSystem } from './support/system';

/**
 * `saga-shop sagas` finding sagas by what they are about, and `saga-shop saga <action>` on every
 * saga a filter matches: a real shop on a free port, the CLI as a child process.
 */

let system: TestSystem;
let faults: FaultyBroker;
let served: Awaited<ReturnType<typeof serveOnFreePort>>;
let env: Record<string, string>;
/** While set, an action request beyond this many hangs unanswered: a run cut off half-way. */
let answeredActions: number | undefined;
let actions = 0;
let ann: { id: string; email: string; token: string };
let bob: { id: string; email: string; token: string };
let lamp: string;
let anns: string[];
let bobs: string[];

const cli = (...args: string[]) => runCli(env, ...args);

/** Runs the CLI until it has printed `lines` lines, then kills it: an operator's run interrupted. */
const interrupted = (lines: number, ...args: string[]) =>
  new Promise<string>((resolve) => {
    const child = spawnCli(env, ...args);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').length > lines) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve(stdout));
  });

const admin = async () => system.api.adminToken();
const sagaOf = async (orderId: string) =>
  (await system.api.call('GET', `/sagas/${orderId}`, { token: await admin() })).body as {
    status: string;
    state: { steps: Record<string, string>; deadlines: Record<string, string> };
  };
const countOf = async (orderId: string, type: string) =>
  (await system.api.trace(orderId)).filter((message) => message.type === type).length;

beforeAll(async () => {
  system = await startTestSystem('in-process', {
    env: { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=120000' },
    wrapBroker: (broker) => (faults = withFaults(broker)),
  });
  // The shop as the CLI sees it; an action past `answeredActions` never answers.
  served = await serveOnFreePort({
    fetch: async (request) => {
      if (request.method === 'POST' && /\/sagas\/[^/]+\/\w+$/.test(new URL(request.url).pathname)) {
        actions += 1;
        if (answeredActions !== undefined && actions > answeredActions) return new Promise<Response>(() => {});
      }
      return system.app.fetch(request);
    },
  });
  env = { SAGA_SHOP_URL: served.url, SAGA_SHOP_TOKEN: await admin(), LOG_LEVEL: 'silent' };

  faults.pause('payments');
  ann = await system.api.customer('Ann');
  bob = await system.api.customer('Bob');
  lamp = (await system.api.createProduct({ name: 'Lamp', priceCents: 1999, stock: 20 })).id;
  const mug = (await system.api.createProduct({ name: 'Mug', priceCents: 500, stock: 20 })).id;
  const place = async (buyer: { token: string }, productId: string) =>
    (await system.api.placeOrder(buyer.token, [{ productId, quantity: 1 }])).body.id as string;
  anns = [await place(ann, lamp), await place(ann, mug), await place(ann, lamp), await place(ann, mug)];
  bobs = [await place(bob, lamp), await place(bob, mug)];
  for (const orderId of [...anns, ...bobs])
    await waitFor(async () => (await sagaOf(orderId)).state.steps.settlePayment === 'pending', {
      what: 'every saga to wait on its payment',
    });
}, 60_000);

afterAll(async () => {
  await served?.close();
  await system?.stop();
});

describe('finding sagas and acting on them in bulk', { timeout: 60_000 }, () => {
  it('sagas finds by customer e-mail, product and awaited step, a page at a time', async () => {
    const byEmail = await cli('sagas', '--customer', ann.email, '--json', '--all');
    expect(byEmail.code).toBe(0);
    expect(
      byEmail.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).orderId),
    ).toEqual([...anns].reverse());

    const lamps = await cli('sagas', '--product', lamp, '--step', 'settlePayment', '--json', '--all');
    expect(
      lamps.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).orderId)
        .sort(),
    ).toEqual([anns[0], anns[2], bobs[0]].sort());

    const first = await cli('sagas', '--customer', ann.id, '--limit', '3');
    expect(first.stdout.trim().split('\n')).toHaveLength(4); // the header and three sagas
    const cursor = /^3 of 4 matching; the next page: --cursor (\S+)$/m.exec(first.stderr)?.[1];
    expect(cursor).toBeDefined();
    const second = await cli('sagas', '--customer', ann.id, '--limit', '3', '--cursor', cursor!);
    expect(second.stdout).toContain(anns[0]);
    expect(second.stderr).toBe('1 of 4 matching\n');

    expect((await cli('sagas', '--customer', 'nobody@example.com')).stderr).toBe(
      'error: no user has the e-mail nobody@example.com\n',
    );
  });

  it('a bulk action is a dry run unless --yes, and names a saga or a filter', async () => {
    const dry = await cli('saga', 'cancel', '--customer', bob.email, '--reason', 'fraud check');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(bobs[0]);
    expect(dry.stdout).toContain(bobs[1]);
    expect(dry.stdout).toMatch(/^2 sagas would be cancelled\.\nnothing done: run it again with --yes to act\n$/m);
    for (const orderId of bobs) expect(await countOf(orderId, 'CancelSaga')).toBe(0);

    expect((await cli('saga', 'retry', '--reason', 'x')).stderr).toMatch(
      /^error: name a saga by its order id, or filter/,
    );
    expect((await cli('saga', 'retry', bobs[0]!, '--step', 'settlePayment', '--reason', 'x')).stderr).toMatch(
      /^error: give an order id or a filter, not both/,
    );
    expect((await cli('saga', 'retry', '--status', 'CONFIRMED', '--reason', 'x')).stderr).toMatch(
      /^error: an ended saga takes no action/,
    );
  });

  it('an extend interrupted and run again with its --run-id moves each deadline once', async () => {
    const before = new Map(
      await Promise.all(
        anns.map(async (id) => [id, Date.parse((await sagaOf(id)).state.deadlines.settlePayment!)] as const),
      ),
    );
    const args = ['saga', 'extend', '--customer', ann.email, '--reason', 'bank slow', '--by', '10m', '--yes'];
    answeredActions = actions + 2;
    const cut = await interrupted(2, ...args, '--run-id', 'run-extend-1');
    answeredActions = undefined;
    expect(cut.trim().split('\n')).toHaveLength(2);

    const again = await cli(...args, '--run-id', 'run-extend-1');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^extend, run run-extend-1: 4 sagas; (2 acted, 2 done before|2 done before, 2 acted)$/m,
    );
    for (const orderId of anns) {
      expect(await countOf(orderId, 'ExtendSaga')).toBe(1);
      expect(Date.parse((await sagaOf(orderId)).state.deadlines.settlePayment!)).toBe(before.get(orderId)! + 600_000);
    }
  });

  it('a cancel interrupted and run again cancels each saga once: one refund each, the stock back', async () => {
    const args = ['saga', 'cancel', '--step', 'settlePayment', '--reason', 'provider down', '--yes', '--json'];
    answeredActions = actions + 3;
    const cut = await interrupted(3, ...args, '--run-id', 'run-cancel-1');
    answeredActions = undefined;
    expect(
      cut
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).outcome),
    ).toEqual(['acted', 'acted', 'acted']);

    const again = await cli(...args, '--run-id', 'run-cancel-1');
    expect(again.code).toBe(0);
    const outcomes = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).outcome);
    expect(outcomes.filter((outcome) => outcome === 'done before')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'acted')).toHaveLength(3);

    faults.resume('payments');
    for (const [buyer, orders] of [
      [ann, anns],
      [bob, bobs],
    ] as const)
      for (const orderId of orders) {
        expect(await system.api.settled(buyer.token, orderId)).toMatchObject({
          status: 'CANCELLED',
          reason: 'CANCELLED_BY_OPERATOR',
          detail: 'provider down',
        });
        expect(await countOf(orderId, 'CancelSaga')).toBe(1);
      }
    const state = await expectInvariants(system);
    expect(state.payments.filter((p) => p.status === 'refunded')).toHaveLength(6);
    expect(await system.api.product(lamp)).toMatchObject({ stock: 20, reserved: 0, sold: 0 });
  });
});
