import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { logger } from '../../lib/logger';
import type { DeadLetter } from '../../broker/broker';
import { consumeMessages } from '../../broker/messaging/consumer';
import { envelope } from '../../contracts';
import { transports } from '../support/system';
import type { Run } from '../support/cli';
import { dlq } from '../support/dlq-cli';
import { waitFor } from '../../lib/wait';
import { openTestBroker, type TestBroker } from './transports';

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeadLetter & { ageMs: number });

const expectOneLineError = (run: Run, message: RegExp) => {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^error: [^\n]*\n$/);
  expect(run.stderr).toMatch(message);
};

const verifyUser = () => {
  const orderId = randomUUID();
  return envelope(
    { type: 'VerifyUser', data: { orderId, userId: randomUUID() } },
    { producer: 'orchestrator', correlationId: orderId, causationId: null },
  );
};

describe.each(transports)('the dlq CLI over the %s broker', (transport) => {
  let opened: TestBroker;
  afterEach(() => opened.dispose());

  it('lists, shows, replays to the running consumer, and purges dead letters', { timeout: 60_000 }, async () => {
    opened = await openTestBroker(transport);
    const { broker, env } = opened;
    let fixed = false;
    const handled: string[] = [];
    const noRetries = { delaysMs: [], jitter: 0 };
    await consumeMessages(
      broker,
      'users',
      (message) => {
        if (!fixed) throw new Error('users database is down');
        handled.push(message.messageId);
      },
      logger,
      noRetries,
    );
    await consumeMessages(broker, 'products', () => {}, logger, noRetries);
    const [first, second] = [verifyUser(), verifyUser()];
    await broker.publish('VerifyUser', JSON.stringify(first));
    await broker.publish('VerifyUser', JSON.stringify(second));
    await broker.publish('ReserveStock', '{not json');
    await waitFor(async () => (await broker.deadLetters('users')).length === 2, { what: 'the users dead letters' });
    await waitFor(async () => (await broker.deadLetters('products')).length === 1, { what: 'the products one' });

    const listed = jsonLines((await dlq(env, 'list', '--json')).stdout);
    expect(listed).toMatchObject([
      { queue: 'users', routingKey: 'VerifyUser', attempts: 1, reason: 'handler failed: users database is down' },
      { queue: 'users', routingKey: 'VerifyUser', attempts: 1 },
      { queue: 'products', routingKey: 'ReserveStock', attempts: 1, reason: 'payload is not JSON' },
    ]);
    const [firstLetter, secondLetter] = listed;
    expect(JSON.parse(firstLetter!.payload).messageId).toBe(first.messageId);
    expect(firstLetter!.ageMs).toBeGreaterThanOrEqual(0);

    const text = await dlq(env, 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^users: 2 dead letters\n {2}ID +AGE +TYPE +ATTEMPTS +REASON\n/m);
    expect(text.stdout).toMatch(
      new RegExp(`${firstLetter!.id} +\\d+s +VerifyUser +1 +handler failed: users database is down`),
    );
    expect(text.stdout).toContain('products: 1 dead letter\n');
    expect(text.stdout).toContain('payments: no dead letters\n');
    expect((await dlq(env, 'list', '--queue', 'products')).stdout).toMatch(/^products: 1 dead letter\n[^:]*$/);

    const shown = await dlq(env, 'show', secondLetter!.id);
    expect(shown.stdout).toContain(`id          ${secondLetter!.id}\n`);
    expect(shown.stdout).toContain(`"messageId": "${second.messageId}"`);

    fixed = true;
    const replayed = await dlq(env, 'replay', firstLetter!.id);
    expect(replayed.stdout).toBe(`replayed ${firstLetter!.id} (VerifyUser) to users\n`);
    await waitFor(() => handled.includes(first.messageId), { timeoutMs: 1_500, what: 'the running consumer' });
    expect((await dlq(env, 'replay', '--all', '--queue', 'users')).stdout).toBe(
      `replayed ${secondLetter!.id} (VerifyUser) to users\n`,
    );
    await waitFor(() => handled.includes(second.messageId), { timeoutMs: 1_500, what: 'the second replay' });

    // For good: without a terminal to ask on, only with --yes.
    const refused = await dlq(env, 'purge', '--json');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^error: nothing purged \(on a terminal, answer y; otherwise pass --yes\)/);
    expect((await dlq(env, 'purge', '--yes', '--json')).stdout.split('\n')).toContain(
      '{"queue":"products","purged":1}',
    );
    expect(await dlq(env, 'list', '--json')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await dlq(env, 'replay', '--all')).stdout).toBe('no dead letters to replay\n');
    expect(handled).toEqual([first.messageId, second.messageId]);
  });

  it('says what is wrong in one line and exits with 1', { timeout: 60_000 }, async () => {
    opened = await openTestBroker(transport);
    const { env } = opened;
    expectOneLineError(await dlq(env, 'show', 'no-such-id'), /no dead letter with id no-such-id/);
    expectOneLineError(await dlq(env, 'replay', 'no-such-id'), /no dead letter with id no-such-id/);
    expectOneLineError(await dlq(env, 'replay'), /give the id of a dead letter to replay, or --all/);
    expectOneLineError(await dlq(env, 'list', '--queue', 'nobody'), /Allowed choices are/);
    expectOneLineError(
      await dlq(
        {
          ...env,
          BROKER_URL: transport === 'rabbitmq' ? 'amqp://guest:guest@127.0.0.1:1' : '',
          DATA_DIR: '/nonexistent',
        },
        'list',
      ),
      transport === 'rabbitmq' ? /ECONNREFUSED/ : /no broker database at \/nonexistent\/broker\.db/,
    );
  });
});
