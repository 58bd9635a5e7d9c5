import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../contracts';
import { stepOf } from '../../contracts/steps';
import { CARDS } from '../support/api';
import { readEndState } from '../support/end-state';
import { withFaults, type FaultyBroker } from '../support/faulty-broker';
import { expectInvariants } from '../support/invariants';
import { cancelMidCommit } from '../support/mid-commit';
import { recording, type Published } from '../support/recording-broker';
import { startTestSystem, transports, type TestSystem } from '../support/system';

/**
 * Each service's inbox, tested by its effect. Every message of two sagas (one confirmed, one
 * cancelled after its payment settled, so that stock is committed and released and money
 * settled and refunded) is delivered again, with its own id, to the participant or orchestrator
 * that took it: twice more, then once more after a restart. Nothing changes anywhere and
 * nothing is answered again. A command resent under a new id, as the orchestrator does after a
 * restart, is answered as it was the first time, and still changes nothing.
 */
describe.each(transports)('messages delivered again over the %s broker', (transport) => {
  let system: TestSystem;
  let faults: FaultyBroker;
  let recorder: ReturnType<typeof recording>;
  afterEach(() => system.stop());

  const wrapBroker = (broker: Parameters<typeof withFaults>[0]) =>
    (recorder = recording((faults = withFaults(broker))));

  /** Everything the services keep, and what the broker carried, as one comparable picture. */
  async function picture(orderIds: string[]) {
    const { inbox, outbox: _outbox, ...state } = await readEndState(system);
    const sagas = await Promise.all(orderIds.map((id) => system.api.saga(id)));
    const traces = await Promise.all(orderIds.map((id) => system.api.trace(id)));
    return { state, inbox, sagas, traces };
  }

  /** Publishes each message again as it was, and waits until the system is quiet. */
  async function redeliver(messages: readonly Published[]) {
    const before = recorder.published.length;
    for (const { routingKey, payload } of messages) await system.broker.publish(routingKey, payload);
    await expectInvariants(system);
    // Only the test's own publishes went through the broker: nobody answered a duplicate.
    expect(recorder.published.slice(before).map((m) => m.payload)).toEqual(messages.map((m) => m.payload));
  }

  it('changes nothing and answers nothing twice, three times or after a restart; a resent command gets its first answer', async () => {
    system = await startTestSystem(transport, { wrapBroker });
    const { api } = system;
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 6 });
    const confirmed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 2 }], CARDS.settles);
    expect(await api.settled(buyer.token, confirmed.body.id)).toMatchObject({ status: 'CONFIRMED' });
    const cancelled = await cancelMidCommit(system, faults, { when: 'after', buyer, productId: mug.id, quantity: 1 });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
    await expectInvariants(system);

    const orderIds = [confirmed.body.id, cancelled.id];
    const carried = [...recorder.published];
    const sagaMessages = carried.filter((m) => orderIds.includes((JSON.parse(m.payload) as Message).correlationId));
    // Every type of both sagas is there: each service receives a message it already handled.
    expect(new Set(sagaMessages.map((m) => m.routingKey))).toEqual(
      new Set([
        ...['OrderRequested', 'OrderCancellationRequested', 'VerifyUser', 'UserVerified', 'ReserveStock'],
        ...['StockReserved', 'SettlePayment', 'PaymentSettled', 'CommitStock', 'StockCommitted', 'OrderConfirmed'],
        ...['ReleaseStock', 'StockReleased', 'RefundPayment', 'PaymentRefunded', 'OrderCancelled'],
      ]),
    );
    const handled = await picture(orderIds);
    expect(handled.state.products).toMatchObject([{ stock: 4, reserved: 0, sold: 2 }]);
    expect(handled.state.payments.map((p) => p.status).sort()).toEqual(['refunded', 'settled']);

    await redeliver(sagaMessages);
    await redeliver(sagaMessages);
    expect(await picture(orderIds)).toEqual(handled);

    system = await system.restart({ wrapBroker });
    await redeliver(sagaMessages);
    expect(await picture(orderIds)).toEqual(handled);

    // The commands again under new ids: each participant answers as it did, and acts no more.
    // (Not the cancelled order's reservation: once released, a ReserveStock may be one that comes
    // late, and is refused by silence; tests/scenarios/lost-messages.test.ts has it.)
    const commands = sagaMessages.filter((m) => {
      const message = JSON.parse(m.payload) as Message;
      const isCommand = stepOf(message.type)?.outcome === 'started';
      return isCommand && !(message.type === 'ReserveStock' && message.correlationId === cancelled.id);
    });
    const firstAnswers = answersTo(carried, commands);
    const before = recorder.published.length;
    const resent = commands.map(({ routingKey, payload }) => ({
      routingKey,
      payload: JSON.stringify({ ...JSON.parse(payload), messageId: randomUUID() }),
    }));
    for (const { routingKey, payload } of resent) await system.broker.publish(routingKey, payload);
    await expectInvariants(system);
    expect(answersTo(recorder.published.slice(before), resent)).toEqual(firstAnswers);
    const after = await picture(orderIds);
    expect(after.state).toEqual(handled.state);
    expect(after.sagas).toEqual(handled.sagas);
  });
});

/** The type and data of the answer to each command, in the commands' order. */
function answersTo(published: readonly Published[], commands: readonly Published[]) {
  const messages = published.map((m) => JSON.parse(m.payload) as Message);
  return commands.map(({ payload }) => {
    const command = JSON.parse(payload) as Message;
    const answers = messages.filter((m) => m.causationId === command.messageId);
    expect(answers, `answers to ${command.type}`).toHaveLength(1);
    return { command: command.type, type: answers[0]!.type, data: answers[0]!.data };
  });
}
