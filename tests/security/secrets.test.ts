import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../support/captured-logs';
import { CARDS } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { recording, type Published } from '../support/recording-broker';
import { startTestSystem, type TestSystem } from '../support/system';

describe('no password, token or full card number in a log line or a message', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('holds over a whole run: register, logins, orders that settle, decline and are cancelled, a deactivation', async () => {
    const { logger, lines } = captureLogs('trace');
    let published: Published[] = [];
    system = await startTestSystem('in-process', {
      logger,
      wrapBroker: (broker) => {
        const recorder = recording(broker);
        published = recorder.published;
        return recorder;
      },
    });
    const { api } = system;

    const password = 'correct-horse-battery-staple';
    const wrongPassword = 'wrong-horse-battery-staple';
    const email = 'secret-keeper@example.com';
    const registered = await api.call('POST', '/auth/register', { body: { name: 'Keeper', email, password } });
    expect((await api.call('POST', '/auth/login', { body: { email, password: wrongPassword } })).status).toBe(401);
    const token = await api.login(email, password);
    const adminToken = await api.adminToken();
    const mug = await api.createProduct({ priceCents: 900, stock: 10 });
    const line = [{ productId: mug.id, quantity: 1 }];

    const confirmed = await api.placeOrder(token, line, CARDS.settles);
    const declined = await api.placeOrder(token, line, CARDS.declined);
    const luhnFails = '4242424242424241';
    expect((await api.placeOrder(token, line, luhnFails)).status).toBe(400);
    const cancelled = await api.placeOrder(token, line, CARDS.insufficientFunds);
    await api.call('POST', `/orders/${cancelled.body.id}/cancel`, { token });
    for (const order of [confirmed, declined, cancelled]) await api.settled(token, order.body.id);
    await api.call('PATCH', `/users/${registered.body.id}`, { token: adminToken, body: { active: false } });
    await expectInvariants(system);

    expect(lines.length).toBeGreaterThan(10);
    expect(published.map((p) => p.routingKey)).toEqual(
      expect.arrayContaining(['OrderRequested', 'SettlePayment', 'PaymentSettled', 'UserDeactivated']),
    );
    const secrets = {
      password,
      wrongPassword,
      token,
      'token signature': token.split('.')[2]!,
      'admin token': adminToken,
      'admin token signature': adminToken.split('.')[2]!,
      ...Object.fromEntries(Object.entries(CARDS).map(([name, number]) => [`card ${name}`, number])),
      'card failing Luhn': luhnFails,
    };
    const everything = { logs: lines.join(''), messages: published.map((p) => p.payload).join('\n') };
    for (const [where, text] of Object.entries(everything)) {
      for (const [what, secret] of Object.entries(secrets)) {
        expect(text.includes(secret), `${what} in ${where}`).toBe(false);
      }
    }
  });
});
