import type { Outgoing } from './envelope';
import type { MessageOf, MessageType } from './messages';
import { serviceNames, type ServiceName } from './services';
import { stepMessages } from './steps';

/**
 * Which message types each service's queue receives. The routing key is the type, so this
 * table is the whole topology: RabbitMQ bindings and in-process routing are derived from it.
 */
export const subscriptions = {
  // The order, its cancel, and every answer of the step table's steps.
  orchestrator: ['OrderRequested', 'OrderCancellationRequested', ...stepMessages.answers],
  users: ['VerifyUser'],
  products: ['ReserveStock', 'ReleaseStock', 'CommitStock'],
  payments: ['SettlePayment', 'RefundPayment'],
  orders: [
    'OrderConfirmed',
    'OrderCancelled',
    'LateReplyCompensated',
    // Account status: orders refuses a deactivated account's orders without asking users.
    'UserDeactivated',
    'UserReactivated',
  ],
} as const satisfies Record<ServiceName, readonly MessageType[]>;

/**
 * Which message types each service publishes: every type has exactly one publisher. Over
 * RabbitMQ the setup command turns this into topic permissions, so the broker refuses a
 * service's user any other routing key, and consumers refuse a message whose `producer`
 * is not its type's publisher.
 */
export const publications = {
  orders: ['OrderRequested', 'OrderCancellationRequested'],
  users: ['UserVerified', 'UserRejected', 'UserDeactivated', 'UserReactivated'],
  products: ['StockReserved', 'StockRejected', 'StockReleased', 'StockCommitted'],
  payments: ['PaymentSettled', 'PaymentDeclined', 'PaymentRefunded'],
  orchestrator: [...stepMessages.commands, 'OrderConfirmed', 'OrderCancelled', 'LateReplyCompensated'],
} as const satisfies Record<ServiceName, readonly MessageType[]>;

/** Every service has a queue (`subscriptions` names each), in the order of `serviceNames`. */
export const queueNames: readonly ServiceName[] = serviceNames;

const publisherByType = new Map<string, ServiceName>(
  queueNames.flatMap((service) => publications[service].map((type) => [type, service] as const)),
);

/** The one service that publishes `type`. */
export function publisherOf(type: MessageType): ServiceName {
  return publisherByType.get(type)!;
}

export function consumersOf(type: string): ServiceName[] {
  return queueNames.filter((queue) => (subscriptions[queue] as readonly string[]).includes(type));
}

/** The messages a service's queue can deliver to it. */
export type Inbound<S extends ServiceName> = MessageOf<(typeof subscriptions)[S][number]>;

/** The message types a service publishes. */
export type PublishedBy<S extends ServiceName> = (typeof publications)[S][number];

/** The messages a service may send: the broker would refuse it any other. */
export type Outbound<S extends ServiceName> = MessageOf<PublishedBy<S>>;

/** One of those before its envelope: what a service's decisions return. */
export type OutgoingFrom<S extends ServiceName> = Outgoing<PublishedBy<S>>;
