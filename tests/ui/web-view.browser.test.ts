import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { serveOnFreePort } from '../support/served';
import { startTestSystem, type TestSystem } from '../support/system';
import { chromiumPath } from './chromium';

/**
 * The web view in a real browser (Chromium, `chromium.ts`): an admin signs in, watches a saga drawn
 * while it runs, sees a declined one compensated, filters the list and replays a dead letter.
 */

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
let system: TestSystem;
let faulty: FaultyBroker;
let served: Awaited<ReturnType<typeof serveOnFreePort>>;
let browser: Browser;
let page: Page;
let customer: { email: string; token: string };
let mugId: string;
/** The saga watched until CONFIRMED, whose messages are then opened. */
let confirmedId: string;

beforeAll(async () => {
  system = await startTestSystem('in-process', { wrapBroker: (broker) => (faulty = withFaults(broker)) });
  served = await serveOnFreePort(system.app);
  mugId = (await system.api.createProduct({ name: 'Mug', priceCents: 1250, stock: 10 })).id;
  customer = await system.api.customer('Ann');
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await system?.stop();
});

const place = async (card: string) => {
  const placed = await system.api.placeOrder(customer.token, [{ productId: mugId, quantity: 2 }], card);
  expect(placed.status).toBe(202);
  return placed.body.id;
};
const statusOfView = () => page.locator('#view').getAttribute('data-status');
const diagramText = async () => (await page.locator('.diagram svg').textContent()) ?? '';
const message = (type: string) =>
  page.locator('.messages details', { has: page.locator(`summary code:text-is("${type}")`) });
/** Opens the message of `type` on a saga's page, unless it is open already. */
async function openMessage(type: string) {
  const details = message(type);
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  return details;
}

describe('the web view at /ui', { timeout: 60_000 }, () => {
  it('asks for an admin: a customer is turned away, the admin gets the sagas', async () => {
    await page.goto(`${served.url}/ui`);
    const message = page.locator('form.login p');
    await page.fill('input[name=email]', 'admin@example.com');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await expect.poll(() => message.innerText()).toMatch(/email or password/i);

    await page.fill('input[name=email]', customer.email);
    await page.fill('input[name=password]', 'a-long-enough-password');
    await page.click('button[type=submit]');
    await expect.poll(() => message.innerText()).toBe('This account is not an admin.');

    await page.fill('input[name=email]', 'admin@example.com');
    await page.fill('input[name=password]', 'admin');
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Sagas' }).waitFor();
  });

  it('draws a saga while it runs, and again when it is CONFIRMED, without a reload', async () => {
    faulty.pause('payments');
    const id = await place(CARDS.settles);
    try {
      await page.goto(`${served.url}/ui#/sagas/${id}`);
      await expect.poll(statusOfView, { timeout: 10_000 }).toBe('RUNNING');
      await expect.poll(diagramText, { timeout: 10_000 }).toContain('SettlePayment');
      expect(await diagramText()).not.toContain('PaymentSettled');
      // A message opened while the saga runs stays open as it is drawn again.
      await openMessage('OrderRequested');
    } finally {
      faulty.resume('payments');
    }
    await expect.poll(statusOfView, { timeout: 10_000 }).toBe('CONFIRMED');
    for (const type of ['OrderRequested', 'VerifyUser', 'ReserveStock', 'SettlePayment', 'PaymentSettled'])
      expect(await diagramText()).toContain(type);
    expect(await page.locator('#view p').first().innerText()).toBe('Finished.');
    expect(await message('OrderRequested').getAttribute('open')).toBe('');
    confirmedId = id;
  });

  it('opens a message of a saga: its payload, the card sealed, and what it changed', async () => {
    await page.goto(`${served.url}/ui#/sagas/${confirmedId}`);
    await expect.poll(statusOfView, { timeout: 10_000 }).toBe('CONFIRMED');
    const requested = await openMessage('OrderRequested');
    const payload = JSON.parse(await requested.locator('pre.payload').innerText());
    expect(payload).toMatchObject({ orderId: confirmedId, card: { last4: CARDS.settles.slice(-4) } });
    expect(await page.locator('.messages').innerText()).not.toContain(CARDS.settles);

    const settled = await openMessage('PaymentSettled');
    const rows = await settled.locator('table.change tbody tr').allInnerTexts();
    expect(rows).toContain('steps.settlePayment\tpending\tsucceeded');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-view-saga-messages.png'), fullPage: true });
  });

  it('draws a declined order CANCELLED, its reserved stock released as a compensation', async () => {
    const id = await place(CARDS.declined);
    await page.goto(`${served.url}/ui#/sagas/${id}`);
    await expect.poll(statusOfView, { timeout: 10_000 }).toBe('CANCELLED');
    const text = await diagramText();
    expect(text).toContain('ReleaseStock');
    expect(text).toContain('compensation');
    expect(text).toContain('PAYMENT_DECLINED');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-view-cancelled-saga.png'), fullPage: true });
  });

  it('lists the sagas with counts per outcome, filtered by status', async () => {
    await page.goto(`${served.url}/ui#/sagas`);
    await expect.poll(() => page.locator('[data-count=CONFIRMED]').innerText()).toBe('CONFIRMED 1');
    await expect.poll(() => page.locator('[data-count=CANCELLED]').innerText()).toBe('CANCELLED 1');
    expect(await page.locator('tbody tr').count()).toBe(2);

    await page.selectOption('#status-filter', 'CANCELLED');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    const row = await page.locator('tbody tr').innerText();
    expect(row).toMatch(/CANCELLED\s+PAYMENT_DECLINED\s+\d+\.\d{3} s/);
    await page.screenshot({ path: join(ARTIFACTS, 'web-view-sagas.png'), fullPage: true });
  });

  it('searches by customer e-mail and by order id, a page at a time', async () => {
    const bob = await system.api.customer('Bob');
    const bobs = (await system.api.placeOrder(bob.token, [{ productId: mugId, quantity: 1 }], CARDS.settles)).body.id;
    await system.api.settled(bob.token, bobs);

    // Ann's two sagas, one a page: the e-mail is looked up, the page links to the next.
    await page.goto(`${served.url}/ui#/sagas?limit=1`);
    await page.fill('#search', customer.email);
    await page.click('form.search button[type=submit]');
    await expect.poll(() => page.locator('#matching').innerText()).toBe(`2 matching (customer ${customer.email})`);
    const first = await page.locator('tbody tr').getAttribute('data-order');
    await page.click('#next-page');
    await expect.poll(() => page.locator('tbody tr').getAttribute('data-order')).not.toBe(first);
    expect(await page.locator('#next-page').count()).toBe(0);
    expect(await page.locator('#search').inputValue()).toBe(customer.email);
    await page.click('#first-page');
    await expect.poll(() => page.locator('tbody tr').getAttribute('data-order')).toBe(first);

    // An e-mail nobody has says so; an order id opens its saga.
    await page.fill('#search', 'nobody@example.com');
    await page.click('form.search button[type=submit]');
    await expect
      .poll(() => page.locator('#error').innerText())
      .toBe('error: no user has the e-mail nobody@example.com');
    await page.fill('#search', bobs);
    await page.click('form.search button[type=submit]');
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/sagas/${bobs}`);
    await expect.poll(() => statusOfView()).toBe('CONFIRMED');
  });

  it('shows a dead letter and replays it to its queue', async () => {
    await system.broker.publish('ReserveStock', '{not json');
    await waitFor(async () => (await system.broker.deadLetters('products')).length === 1, { what: 'the dead letter' });
    const [letter] = await system.broker.deadLetters('products');

    await page.goto(`${served.url}/ui#/dead-letters`);
    const products = page.locator('section[data-queue=products]');
    await expect.poll(() => products.locator('h3').innerText()).toBe('products: 1');
    expect(await products.innerText()).toContain(letter!.reason);
    await products.getByRole('button', { name: 'Replay' }).click();

    // Still not JSON, so the consumer dead-letters it again: a new letter, the old one gone.
    await waitFor(
      async () => {
        const now = await system.broker.deadLetters('products');
        return now.length === 1 && now[0]!.id !== letter!.id;
      },
      { what: 'the replayed message to be dead-lettered again' },
    );
    await expectInvariants(system, { deadLettered: { products: 1 } });

    // Its payload can be read, and the letters purged after a confirmation.
    await page.goto(`${served.url}/ui#/dead-letters`);
    await expect.poll(() => products.locator('h3').innerText()).toBe('products: 1');
    await products.locator('summary').click();
    expect(await products.locator('pre.payload').innerText()).toBe('{not json');
    page.once('dialog', (dialog) => void dialog.accept());
    await products.getByRole('button', { name: 'Purge products' }).click();
    await expect.poll(() => products.locator('h3').innerText()).toBe('products: 0');
    expect(await system.broker.deadLetters('products')).toEqual([]);
  });

  it('cancels a running saga from its page, after a confirmation, with the operator’s reason', async () => {
    faulty.pause('payments');
    const id = await place(CARDS.settles);
    try {
      await page.goto(`${served.url}/ui#/sagas/${id}`);
      await expect.poll(diagramText, { timeout: 10_000 }).toContain('SettlePayment');
      const actions = page.locator('form.actions');
      const questions: string[] = [];
      page.once('dialog', (dialog) => {
        questions.push(dialog.message());
        void dialog.dismiss();
      });
      await actions.locator('input[name=reason]').fill('the customer called');
      await actions.getByRole('button', { name: 'Cancel saga' }).click();
      await expect.poll(() => questions.length).toBe(1);
      expect(questions[0]).toContain(id);
      expect(await statusOfView()).toBe('RUNNING'); // dismissed: nothing done

      page.once('dialog', (dialog) => void dialog.accept());
      await actions.getByRole('button', { name: 'Cancel saga' }).click();
      await expect.poll(() => actions.locator('.result').innerText()).toMatch(/cancel: COMPENSATING/);
    } finally {
      faulty.resume('payments');
    }
    await expect.poll(statusOfView, { timeout: 10_000 }).toBe('CANCELLED');
    expect(await diagramText()).toContain('CancelSaga');
    expect(await system.api.settled(customer.token, id)).toMatchObject({
      reason: 'CANCELLED_BY_OPERATOR',
      detail: 'the customer called',
    });
    await expectInvariants(system);
  });
});
