import { createHash, randomBytes } from 'node:crypto';
import { permissionsOf, type BrokerRole } from './rabbitmq-permissions';
import { names, namespaceTopology, type QueueKind } from '../rabbitmq/topology';

export interface BrokerUser {
  role: BrokerRole;
  username: string;
  password: string;
}

export interface DefinitionsInput {
  namespace: string;
  vhost: string;
  /** Classic or quorum queues: what the services are configured with (BROKER_QUEUE_TYPE). */
  queueKind: QueueKind;
  users: readonly BrokerUser[];
  /** Four bytes per user; injected by tests, random otherwise. */
  salt?: () => Buffer;
}

/**
 * RabbitMQ's definitions document for the shop: the vhost, a user per role with its
 * permissions, and the whole topology, every retry level included, since the users may
 * declare nothing. `rabbitmqctl import_definitions` applies it to a running node, and a node
 * given it as `load_definitions` applies it at boot (docker-compose.yml).
 */
export function brokerDefinitions({
  namespace,
  vhost,
  queueKind,
  users,
  salt = () => randomBytes(4),
}: DefinitionsInput) {
  const topology = names(namespace);
  const { exchanges, queues, bindings } = namespaceTopology(topology, { retryQueues: true, kind: queueKind });
  const granted = users.map((user) => ({ user, permissions: permissionsOf(topology, user.role) }));
  return {
    users: users.map(({ role, username, password }) => ({
      name: username,
      password_hash: hashPassword(password, salt()),
      hashing_algorithm: 'rabbit_password_hashing_sha256',
      // The management UI (docker-compose runs it) lets in only users with this tag.
      tags: role === 'operator' ? ['management'] : [],
    })),
    vhosts: [{ name: vhost }],
    permissions: granted.map(({ user, permissions: { configure, write, read } }) => ({
      user: user.username,
      vhost,
      configure,
      write,
      read,
    })),
    topic_permissions: granted.flatMap(({ user, permissions: { topic } }) =>
      topic ? [{ user: user.username, vhost, exchange: topic.exchange, write: topic.write, read: topic.read }] : [],
    ),
    exchanges: exchanges.map(({ name, type }) => ({
      name,
      vhost,
      type,
      durable: true,
      auto_delete: false,
      internal: false,
      arguments: {},
    })),
    queues: queues.map(({ name, arguments: args }) => ({
      name,
      vhost,
      durable: true,
      auto_delete: false,
      arguments: args,
    })),
    bindings: bindings.map(({ exchange, queue, routingKey }) => ({
      source: exchange,
      vhost,
      destination: queue,
      destination_type: 'queue',
      routing_key: routingKey,
      arguments: {},
    })),
  };
}

/** RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt ‖ sha256(salt ‖ password)). */
export function hashPassword(password: string, salt: Buffer): string {
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}
