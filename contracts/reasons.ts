import { z } from 'zod';

/** Why an order ended CANCELLED: the public reason codes of the REST contract. */
export const CancelReason = z.enum([
  'USER_REJECTED',
  'OUT_OF_STOCK',
  'UNKNOWN_PRODUCT',
  'PAYMENT_DECLINED',
  'STEP_TIMEOUT',
  'CANCELLED_BY_CUSTOMER',
  'CANCELLED_BY_OPERATOR',
]);
export type CancelReason = z.infer<typeof CancelReason>;

export const OrderStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const DeclineReason = z.enum(['card_declined', 'insufficient_funds']);
export type DeclineReason = z.infer<typeof DeclineReason>;

export const UserRejectionReason = z.enum(['unknown_user', 'inactive_user']);
export type UserRejectionReason = z.infer<typeof UserRejectionReason>;
