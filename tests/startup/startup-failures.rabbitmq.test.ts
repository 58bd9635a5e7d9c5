import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteTopology, RabbitMqBroker } from '../../broker/rabbitmq/rabbitmq';
import { rabbitUrl } from '../support/system';
import { fatal, startApp } from './start-app';

describe('a start against RabbitMQ that cannot succeed', () => {
  it('a wrong password: one line at once, naming the variable and the URL without the password', async () => {
    const attempt = await startApp({ BROKER_URL: 'amqp://guest:not-the-password@127.0.0.1:5672' });
    expect(attempt.code, attempt.output).toBe(1);
    expect(fatal(attempt).map((line) => line.msg)).toEqual([
      'BROKER_URL: RabbitMQ at amqp://guest:***@127.0.0.1:5672: login refused: check the user and password',
    ]);
    expect(attempt.output).not.toContain('not-the-password');
    expect(attempt.output).not.toMatch(/\n\s+at /);
  });

  it('quorum queues asked of a namespace that holds classic ones: one line saying the type cannot change in place', async () => {
    const namespace = `test-${randomUUID().slice(0, 8)}`;
    const classic = await RabbitMqBroker.connect({ url: rabbitUrl, namespace });
    await classic.close();
    try {
      const attempt = await startApp({
        BROKER_URL: rabbitUrl,
        BROKER_NAMESPACE: namespace,
        BROKER_QUEUE_TYPE: 'quorum',
      });
      expect(attempt.code, attempt.output).toBe(1);
      const [line, ...more] = fatal(attempt).map((entry) => entry.msg);
      expect(more).toEqual([]);
      expect(line).toMatch(/^BROKER_URL: RabbitMQ at .*: the queues exist with other arguments \(inequivalent arg 'x-/);
      expect(line).toContain('docs/quorum-queues.md');
    } finally {
      await deleteTopology(rabbitUrl, namespace);
    }
  });
});
