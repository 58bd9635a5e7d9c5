import type { MessageOf, MessageType, ServiceName } from '../contracts';

/**
 * Which message types each service's queue receives. The routing key is the type, so this
 * table is the whole topology: RabbitMQ bindings and in-process routing are derived from it.
 */
export const subscriptions = {
  orchestrator: [
    'OrderRequested',
    'OrderCancellationRequested',
    'UserVerified',
    'UserRejected',
    'StockReserved',
    'StockRejected',
    'PaymentSettled',
    'PaymentDeclined',
    'StockReleased',
    'StockCommitted',
    'PaymentRefunded',
  ],
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

export const queueNames = Object.keys(subscriptions) as ServiceName[];

export function consumersOf(type: string): ServiceName[] {
  return queueNames.filter((queue) => (subscriptions[queue] as readonly string[]).includes(type));
}

/** The messages a service's queue can deliver to it. */
export type Inbound<S extends ServiceName> = MessageOf<(typeof subscriptions)[S][number]>;
