import { afterEach, describe, expect, it } from 'vitest';
import { openTestBroker, type TestBroker } from '../broker/transports';
import { dlq } from '../support/dlq-cli';

describe('the dlq command under NODE_ENV=production', () => {
  let opened: TestBroker;
  afterEach(() => opened.dispose());

  it('reaches the broker given only BROKER_URL, as `docker compose run --rm dlq list` runs it', async () => {
    opened = await openTestBroker('rabbitmq');
    const { BROKER_URL, BROKER_NAMESPACE, BROKER_QUEUE_TYPE } = opened.env;
    // It signs, seals and logs in with nothing, so no secret is asked of it: none is set.
    const unset = { JWT_SECRET: '', CARD_TOKEN_KEY: '', CARD_TOKEN_KEYS: '', ADMIN_PASSWORD: '' };
    const run = await dlq(
      {
        NODE_ENV: 'production',
        BROKER_URL: BROKER_URL!,
        BROKER_NAMESPACE: BROKER_NAMESPACE!,
        BROKER_QUEUE_TYPE: BROKER_QUEUE_TYPE!,
        ...unset,
      },
      'list',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('users: no dead letters\n');
    expect(run.stdout).toContain('payments: no dead letters\n');
  });
});
