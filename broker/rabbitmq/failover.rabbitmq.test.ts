import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelModel } from 'amqplib';
import { waitFor } from '../../lib/wait';
import { FailoverConnection } from './failover';
import { nodeUrls } from './urls';

const node = nodeUrls(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672')[0]!;
const nowhere = 'amqp://guest:guest@127.0.0.1:1';

describe('FailoverConnection', { timeout: 30_000 }, () => {
  const opened: FailoverConnection[] = [];
  afterEach(async () => {
    for (const connection of opened.splice(0)) await connection.close();
  });

  function open(urls: string[], firstNode: number) {
    const failures: string[] = [];
    const models: ChannelModel[] = [];
    const connection = new FailoverConnection({
      urls,
      firstNode,
      socketOptions: {},
      setup: async (model) => void models.push(model),
      onFailure: ({ url, retryInMs }) => failures.push(`${url} ${retryInMs}`),
      maxDelayMs: 200,
    });
    opened.push(connection);
    connection.start();
    return { connection, failures, models };
  }

  it('tries the next node at once when one does not answer, and pauses only after a whole round', async () => {
    const { connection, failures } = open([nowhere, node], 0);
    await connection.waitForConnect();
    expect(failures).toEqual([`${nowhere} 0`]);
    expect(connection.node).toBe(node);
  });

  it('goes on round the nodes while none answers, pausing longer each round up to the cap', async () => {
    const { connection, failures } = open([nowhere, nowhere], 0);
    await waitFor(() => failures.length >= 6, { what: 'three rounds' });
    expect(connection.node).toBeUndefined();
    expect(failures.slice(0, 6)).toEqual([
      `${nowhere} 0`,
      `${nowhere} 100`,
      `${nowhere} 0`,
      `${nowhere} 200`,
      `${nowhere} 0`,
      `${nowhere} 200`,
    ]);
  });

  it('sets up each new connection, and makes a new one on the next node when it is lost', async () => {
    const { connection, models } = open([node, node], 0);
    await connection.waitForConnect();
    expect(models).toHaveLength(1);
    await models[0]!.close();
    await waitFor(() => models.length === 2, { what: 'the connection made again' });
    expect(connection.node).toBe(node);
  });

  it('rejects the wait for a first connection when closed before one', async () => {
    const { connection } = open([nowhere], 0);
    const waiting = connection.waitForConnect();
    await connection.close();
    await expect(waiting).rejects.toThrow('connection closed');
  });
});
