import { describe, expect, it } from 'vitest';
import { messageTypes } from '../../contracts';
import { brokerDefinitions, hashPassword } from './rabbitmq-definitions';
import { brokerRoles } from './rabbitmq-permissions';
import { publications, queueNames } from '../../contracts/topology';

const users = brokerRoles.map((role) => ({ role, username: `shop-${role}`, password: `${role}-secret` }));
const definitions = brokerDefinitions({ namespace: 'shop', vhost: 'shop', users });

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
