import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../support/captured-logs';
import { duplicating } from '../support/duplicating-broker';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';
import { serviceNames } from '../../contracts/services';

describe('logs that follow a saga', () => {
  let system: TestSystem;
  afterEach(() => system.stop());

  it('one grep of an order id (or its trace id) finds the request that created it and the lines about its messages', async () => {
    const logs = captureLogs('debug');
    // Every message delivered twice, so each consumer logs the duplicate it ignored.
    system = await startTestSystem('in-process', { logger: logs.logger, wrapBroker: duplicating });
    const { api } = system;
    const buyer = await api.customer('Ann');
    const mug = await api.createProduct({ priceCents: 900, stock: 10 });
    const placed = await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }]);
    await api.settled(buyer.token, placed.body.id);
    await expectInvariants(system);

    const lines = logs.parsed();
    const orderId = placed.body.id;
    const story = lines.filter((line) => JSON.stringify(line).includes(orderId));
    expect(story.find((line) => line.msg === 'request')).toMatchObject({ method: 'POST', path: '/orders', orderId });
    const duplicates = story.filter((line) => line.msg === 'duplicate ignored');
    expect(new Set(duplicates.map((line) => line.service))).toEqual(new Set(serviceNames));
    for (const line of lines.filter((each) => 'messageId' in each))
      expect(line, 'a line about a message').toMatchObject({
        service: expect.any(String),
        correlationId: expect.any(String),
        messageId: expect.any(String),
        causationId: expect.toSatisfy((id: unknown) => id === null || typeof id === 'string'),
      });
    expect(duplicates.filter((line) => line.correlationId === orderId).length).toBeGreaterThanOrEqual(5);
    // …and one grep of its trace id: the request and every line about its messages carry it.
    const { traceId } = story.find((line) => line.msg === 'request')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const line of story.filter((each) => each.correlationId === orderId)) expect(line.traceId).toBe(traceId);
  });
});
