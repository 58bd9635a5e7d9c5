import { describe, expect, it } from 'vitest';
import { messageTypes } from '../../contracts';
import { brokerDefinitions, hashPassword } from './rabbitmq-definitions';
import { brokerRoles } from './rabbitmq-permissions';
import { publications, queueNames } from '../../contracts/topology';
import { classicQueues, queueKind, retryLevels } from '../rabbitmq/topology';

const users = brokerRoles.map((role) => ({ role, username: `shop-${role}`, password: `${role}-secret` }));
const definitions = brokerDefinitions({ namespace: 'shop', vhost: 'shop', queueKind: classicQueues, users });

describe('the broker definitions of npm run broker:setup', () => {
  it('hashes passwords as RabbitMQ does', () => {
    // guest/guest, as `rabbitmqctl export_definitions` printed it.
    const exported = 'ufSml76iR/50KeQ+em8SKW1rjNORD5Nxerw41gjFNuNLNg5i';
    expect(hashPassword('guest', Buffer.from(exported, 'base64').subarray(0, 4))).toBe(exported);
    expect(JSON.stringify(definitions)).not.toContain('-secret');
  });

  it('lets no user declare or delete anything, and every service publish only its own types', () => {
    expect(definitions.permissions.map((grant) => grant.configure)).toEqual(brokerRoles.map(() => '^$'));
    for (const service of queueNames) {
      const { write } = definitions.topic_permissions.find((grant) => grant.user === `shop-${service}`)!;
      const publishable = messageTypes.filter((type) => new RegExp(write).test(type));
      expect(new Set(publishable), service).toEqual(new Set(publications[service]));
    }
  });

  it('gives each service read access to its own queue only', () => {
    const readable = (user: string, name: string) =>
      new RegExp(definitions.permissions.find((grant) => grant.user === user)!.read).test(name);
    for (const service of queueNames) {
      for (const queue of definitions.queues) {
        expect(readable(`shop-${service}`, queue.name), `${service} reads ${queue.name}`).toBe(
          queue.name === `shop.${service}`,
        );
      }
    }
  });

  it('declares every exchange and queue that a binding names', () => {
    const exchanges = new Set(definitions.exchanges.map((exchange) => exchange.name));
    const queues = new Set(definitions.queues.map((queue) => queue.name));
    for (const binding of definitions.bindings) {
      expect(exchanges.has(binding.source), binding.source).toBe(true);
      expect(queues.has(binding.destination), binding.destination).toBe(true);
    }
  });
});

describe('the queue type of the broker definitions', () => {
  const quorum = brokerDefinitions({ namespace: 'shop', vhost: 'shop', queueKind: queueKind('quorum', 7), users });
  const queue = (name: string) => quorum.queues.find((q) => q.name === name)!.arguments;

  it('declares every queue as a quorum queue, the same queues and bindings as classic', () => {
    expect(quorum.queues.map((q) => q.name)).toEqual(definitions.queues.map((q) => q.name));
    expect(quorum.bindings).toEqual(definitions.bindings);
    // Five services, each its queue, its dead-letter queue and a retry queue per level.
    expect(quorum.queues).toHaveLength(queueNames.length * (2 + retryLevels.length));
    for (const { name, arguments: args, durable } of quorum.queues) {
      expect(args['x-queue-type'], name).toBe('quorum');
      expect(durable, name).toBe(true);
    }
  });

  it.each(queueNames)(
    "counts deliveries on %s's queue, dead-lettering past the limit at least once to its dead-letter queue",
    (service) => {
      expect(queue(`shop.${service}`)).toEqual({
        'x-queue-type': 'quorum',
        'x-delivery-limit': 7,
        'x-dead-letter-exchange': `shop.${service}.direct`,
        'x-dead-letter-routing-key': `shop.${service}.dlq`,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      });
      // The dead-letter queue is the end: it dead-letters nothing, and counts nothing.
      expect(queue(`shop.${service}.dlq`)).toEqual({ 'x-queue-type': 'quorum' });
      // Each retry queue hands its expired messages back to the service's queue, at least once.
      for (const level of retryLevels)
        expect(queue(`shop.${service}.retry.${level}ms`), `level ${level}`).toEqual({
          'x-queue-type': 'quorum',
          'x-message-ttl': level,
          'x-dead-letter-exchange': `shop.${service}.direct`,
          'x-dead-letter-routing-key': `shop.${service}`,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        });
    },
  );

  it('gives classic queues none of the quorum arguments', () => {
    const quorumOnly = ['x-queue-type', 'x-delivery-limit', 'x-dead-letter-strategy', 'x-overflow'];
    for (const { name, arguments: args } of definitions.queues)
      for (const argument of quorumOnly) expect(args, name).not.toHaveProperty(argument);
    for (const service of queueNames) {
      expect(definitions.queues.find((q) => q.name === `shop.${service}`)!.arguments).toEqual({});
      expect(definitions.queues.find((q) => q.name === `shop.${service}.dlq`)!.arguments).toEqual({});
    }
  });
});
