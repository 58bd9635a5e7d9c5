import { describe, expect, it } from 'vitest';
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
});
