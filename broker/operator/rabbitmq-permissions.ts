import type { ServiceName } from '../../contracts';
import type { Names } from '../rabbitmq/topology';
import { publications, queueNames } from '../../contracts/topology';

/** Who connects: a service, or an operator replaying and purging dead letters (`npm run dlq`). */
export type BrokerRole = ServiceName | 'operator';
export const brokerRoles: readonly BrokerRole[] = [...queueNames, 'operator'];

/** The variable holding a role's own RabbitMQ URL, credentials included: `BROKER_URL_ORDERS`. */
export const urlVariable = (role: BrokerRole) => `BROKER_URL_${role.toUpperCase()}`;

/** The vhost a RabbitMQ URL names: amqp://host and amqp://host/ the default "/", amqp://host/shop "shop". */
export const vhostOf = (url: URL) => (url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/');

/**
 * What one user may do in the vhost, as RabbitMQ's regular expressions over resource names
 * (`configure`, `write`, `read`) and over routing keys on the events exchange (`topic`).
 */
export interface Permissions {
  configure: string;
  write: string;
  read: string;
  topic?: { exchange: string; write: string; read: string };
}

const NOTHING = '^$';

/**
 * Least privilege, with the topology declared beforehand by the setup command:
 * - a service may publish to the events exchange only the message types it owns (topic
 *   permissions), and to its own exchange, which reaches only its own queues;
 * - it may consume only its own queue, and declare, bind or delete nothing: read access to
 *   an exchange would let it bind that exchange to another and so relay any routing key;
 * - the operator may read the dead-letter queues and replay into each service's exchange.
 */
export function permissionsOf(topology: Names, role: BrokerRole): Permissions {
  if (role === 'operator') {
    return {
      configure: NOTHING,
      write: anyOf(queueNames.map(topology.serviceExchange)),
      read: anyOf(queueNames.map(topology.deadLetterQueue)),
    };
  }
  return {
    configure: NOTHING,
    write: anyOf([topology.exchange, topology.serviceExchange(role)]),
    read: anyOf([topology.queue(role)]),
    topic: { exchange: topology.exchange, write: anyOf(publications[role]), read: NOTHING },
  };
}

/** A pattern matching exactly these names. */
function anyOf(names: readonly string[]): string {
  return `^(${names.map(literal).join('|')})$`;
}

function literal(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
