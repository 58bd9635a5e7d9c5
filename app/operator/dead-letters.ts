import { z } from 'zod';
import type { Broker } from '../../broker/broker';
import { ServiceName } from '../../contracts';
import { DeadLetterView } from '../../contracts/rest';
import { guards } from '../../http/access';
import type { AuthEnv, Tokens } from '../../http/auth';
import { notFound } from '../../http/errors';
import { defineRoute, errors, json, newRouter } from '../../http/openapi';

/**
 * The dead letters of the queues this process consumes, over HTTP for the web view: what
 * `saga-shop dlq list`, `dlq replay` and `dlq purge` do on the broker. Each process answers for its own
 * services' queues, so behind the entry point `/dead-letters/<service>` reaches the one that has them.
 */

const tags = ['dead letters'];
const QueueParam = z.object({ queue: ServiceName });

export const listDeadLetters = defineRoute('admin', {
  operationId: 'listDeadLetters',
  method: 'get',
  path: '/dead-letters/{queue}',
  tags,
  summary: 'What a service’s dead-letter queue holds, oldest first',
  request: { params: QueueParam },
  responses: {
    200: json(z.object({ items: z.array(DeadLetterView) }), 'the dead letters'),
    ...errors(400, 401, 403, 404),
  },
});

export const replayDeadLetter = defineRoute('admin', {
  operationId: 'replayDeadLetter',
  method: 'post',
  path: '/dead-letters/{queue}/{id}/replay',
  tags,
  summary: 'Sends one dead letter back to its queue as a fresh delivery',
  request: { params: QueueParam.extend({ id: z.string().min(1).max(200) }) },
  responses: { 200: json(DeadLetterView, 'the letter, now back on its queue'), ...errors(400, 401, 403, 404) },
});

export const purgeDeadLetters = defineRoute('admin', {
  operationId: 'purgeDeadLetters',
  method: 'post',
  path: '/dead-letters/{queue}/purge',
  tags,
  summary: 'Deletes every dead letter of a service’s queue, for good',
  request: { params: QueueParam },
  responses: {
    200: json(z.object({ queue: ServiceName, purged: z.number().int() }), 'how many were deleted'),
    ...errors(400, 401, 403, 404),
  },
});

export function deadLetterRoutes(brokerOf: ReadonlyMap<ServiceName, Broker>, tokens: Tokens) {
  const guard = guards(tokens);
  const brokerFor = (queue: ServiceName) => {
    const broker = brokerOf.get(queue);
    if (!broker) throw notFound(`queue ${queue} (another process runs that service)`);
    return broker;
  };
  return newRouter<AuthEnv>()
    .openapi(guard(listDeadLetters), async (c) => {
      const { queue } = c.req.valid('param');
      return c.json({ items: await brokerFor(queue).deadLetters(queue) }, 200);
    })
    .openapi(guard(replayDeadLetter), async (c) => {
      const { queue, id } = c.req.valid('param');
      const broker = brokerFor(queue);
      // Only a letter of this queue: the id alone could name one of another service.
      if (!(await broker.deadLetters(queue)).some((letter) => letter.id === id)) throw notFound('dead letter');
      const letter = await broker.replayDeadLetter(id);
      if (!letter) throw notFound('dead letter');
      return c.json(letter, 200);
    })
    .openapi(guard(purgeDeadLetters), async (c) => {
      const { queue } = c.req.valid('param');
      return c.json({ queue, purged: await brokerFor(queue).purgeDeadLetters(queue) }, 200);
    });
}
