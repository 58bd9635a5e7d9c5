import type { AccountEvent } from '../../contracts';
import type { AccountStanding } from '../../http/account-standing';
import type { OrdersStore } from './store';

export const isAccountEvent = (message: { type: string }): message is AccountEvent =>
  message.type === 'UserDeactivated' || message.type === 'UserReactivated';

/** Keeps the newest status per account; events may arrive late, twice or out of order. */
export async function applyAccountEvent(store: OrdersStore, event: AccountEvent, now: Date): Promise<[]> {
  await store.saveAccountStatus({
    userId: event.data.userId,
    active: event.type === 'UserReactivated',
    version: event.data.version,
    updatedAt: now.toISOString(),
  });
  return [];
}

/**
 * Orders only hears of deactivations, so an account it has no row for is taken as active: users'
 * VerifyUser step still rejects an unknown account inside the saga.
 */
export async function standingOf(store: OrdersStore, userId: string): Promise<AccountStanding> {
  const row = await store.accountStatusOf(userId);
  return row && !row.active ? 'deactivated' : 'active';
}
