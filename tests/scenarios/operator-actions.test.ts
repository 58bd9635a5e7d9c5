import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, transports, type TestSystem } from '../support/system';

/** An operator's actions on one running saga: cancel, retry, extend (POST /sagas/{orderId}/…). */
describe.each(transports)('an operator acts on a saga over the %s broker', (transport) => {
  let system: TestSystem;
  afterEach(() => system.stop());

  const act = async (orderId: string, action: string, body: object, token?: string, key?: string) =>
    system.api.call<{
      status: string;
      sent: string[];
      ignored?: string;
      replayed?: boolean;
      error?: { message: string };
    }>('POST', `/sagas/${orderId}/${action}`, {
      token: token ?? (await system.api.adminToken()),
      body,
      ...(key && { headers: { 'idempotency-key': key } }),
    });
  const deadlineOf = async (orderId: string, step: string) =>
    (
      await system.api.call<{ state?: { deadlines?: Record<string, string> } }>('GET', `/sagas/${orderId}`, {
        token: await system.api.adminToken(),
      })
    ).body?.state?.deadlines?.[step];
  const stepsOf = async (orderId: string) =>
    (
      await system.api.call<{ state?: { steps?: Record<string, string> } }>('GET', `/sagas/${orderId}`, {
        token: await system.api.adminToken(),
      })
    ).body?.state?.steps;
  const metric = async (line: RegExp) =>
    Number(line.exec(await (await system.app.request('/metrics')).text())?.[1] ?? 0);

  /** A customer's order whose saga waits on its payment, the payments service held. */
  async function waitingOnPayment(faults: FaultyBroker) {
    faults.pause('payments');
    const buyer = await system.api.customer();
    const mug = await system.api.createProduct({ priceCents: 250, stock: 5 });
    const placed = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }]);
    await waitFor(async () => (await stepsOf(placed.body.id))?.settlePayment === 'pending', {
      what: 'the saga to ask for the payment',
    });
    return { buyer, mug, orderId: placed.body.id as string };
  }

  it('cancel, racing a payment being settled: refunded once, the stock back, CANCELLED_BY_OPERATOR with the reason', async () => {
    let faults!: FaultyBroker;
    system = await startTestSystem(transport, { wrapBroker: (broker) => (faults = withFaults(broker)) });
    const { buyer, mug, orderId } = await waitingOnPayment(faults);

    const cancelled = await act(orderId, 'cancel', { reason: 'the customer called: wrong address' });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ orderId, action: 'cancel', status: 'COMPENSATING', sent: ['ReleaseStock'] });
    faults.resume('payments'); // the payment settles after the cancel: it is refunded

    const order = await system.api.settled(buyer.token, orderId);
    expect(order).toMatchObject({
      status: 'CANCELLED',
      reason: 'CANCELLED_BY_OPERATOR',
      detail: 'the customer called: wrong address',
    });
    const state = await expectInvariants(system);
    expect(state.payments.filter((p) => p.order_id === orderId).map((p) => p.status)).toEqual(['refunded']);
    expect(await system.api.product(mug.id)).toMatchObject({ stock: 5, reserved: 0, sold: 0 });
    // The trace keeps who acted and why.
    const entry = (await system.api.trace(orderId)).find((message) => message.type === 'CancelSaga');
    expect(entry).toMatchObject({
      outcome: 'applied',
      note: expect.stringMatching(/^by [0-9a-f-]{36}: the customer called: wrong address$/),
    });
    expect(await metric(/shop_saga_operator_actions_total\{action="CancelSaga"\} (\d+)/)).toBe(1);

    // An ended saga takes no action.
    expect((await act(orderId, 'cancel', { reason: 'again' })).status).toBe(409);
  });

  it('retry: the command lost on the way is sent again, and the saga completes', async () => {
    system = await startTestSystem(transport, {
      wrapBroker: (broker) => withFaults(broker, { seed: 3, drop: { types: ['ReserveStock'], limit: 1 } }),
    });
    const buyer = await system.api.customer();
    const mug = await system.api.createProduct({ priceCents: 250, stock: 5 });
    const placed = await system.api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    await waitFor(async () => (await stepsOf(placed.body.id))?.verifyUser === 'succeeded', {
      what: 'the user to be verified, the stock never asked',
    });

    const retried = await act(placed.body.id, 'retry', { reason: 'products is back' });
    expect(retried.body).toMatchObject({ status: 'RUNNING', sent: ['ReserveStock'] });
    expect(await system.api.settled(buyer.token, placed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    await expectInvariants(system);
  });

  it('extend: a payment slower than its deadline settles, where the deadline would have cancelled the order', async () => {
    let faults!: FaultyBroker;
    const env = { SAGA_STEP_TIMEOUTS_MS: 'settlePayment=1500', SAGA_MAX_EXTEND_MS: '120000' };
    system = await startTestSystem(transport, { env, wrapBroker: (broker) => (faults = withFaults(broker)) });
    const { buyer, orderId } = await waitingOnPayment(faults);

    expect((await act(orderId, 'extend', { byMs: 120_001, reason: 'too long' })).status).toBe(400);
    const before = Date.parse((await deadlineOf(orderId, 'settlePayment'))!);
    const extend = () =>
      act(orderId, 'extend', { byMs: 60_000, reason: 'the bank is slow until 15:00' }, undefined, 'run-7');
    expect((await extend()).body).not.toHaveProperty('replayed');
    // The same idempotency key again (a bulk run started over): done once, the deadline moved once.
    expect((await extend()).body).toMatchObject({ replayed: true, sent: [] });
    expect(Date.parse((await deadlineOf(orderId, 'settlePayment'))!)).toBe(before + 60_000);
    expect((await system.api.trace(orderId)).filter((message) => message.type === 'ExtendSaga')).toHaveLength(1);
    expect(await metric(/shop_saga_operator_actions_total\{action="ExtendSaga"\} (\d+)/)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // past the deadline it had
    expect((await stepsOf(orderId))?.settlePayment).toBe('pending');
    faults.resume('payments');
    expect(await system.api.settled(buyer.token, orderId)).toMatchObject({ status: 'CONFIRMED' });
    await expectInvariants(system);
  });

  it('an admin’s cancel through the orders API is an operator’s cancel', async () => {
    let faults!: FaultyBroker;
    system = await startTestSystem(transport, { wrapBroker: (broker) => (faults = withFaults(broker)) });
    const { buyer, orderId } = await waitingOnPayment(faults);
    const cancelled = await system.api.call('POST', `/orders/${orderId}/cancel`, {
      token: await system.api.adminToken(),
    });
    expect(cancelled.status).toBe(202);
    faults.resume('payments');
    expect(await system.api.settled(buyer.token, orderId)).toMatchObject({
      status: 'CANCELLED',
      reason: 'CANCELLED_BY_OPERATOR',
      detail: 'cancelled by an admin through POST /orders/{id}/cancel',
    });
    await expectInvariants(system);
  });

  it('answers 404 for an unknown saga, 403 to a customer, 400 without a reason', async () => {
    let faults!: FaultyBroker;
    system = await startTestSystem(transport, { wrapBroker: (broker) => (faults = withFaults(broker)) });
    const { buyer, orderId } = await waitingOnPayment(faults);
    expect((await act('00000000-0000-7000-8000-000000000000', 'retry', { reason: 'x' })).status).toBe(404);
    expect((await act(orderId, 'cancel', { reason: 'mine' }, buyer.token)).status).toBe(403);
    expect((await act(orderId, 'cancel', {})).status).toBe(400);
    expect((await act(orderId, 'cancel', { reason: '  ' })).status).toBe(400);
    faults.resume('payments');
    expect(await system.api.settled(buyer.token, orderId)).toMatchObject({ status: 'CONFIRMED' });
  });
});
