import type { OutgoingFrom } from '../../contracts/topology';
import type { MessageData } from '../../contracts';
import type { UserRow } from './store';

/** The users service's answer to VerifyUser: only a known, active account may buy. */
export function verifyUser(
  { orderId, userId }: MessageData<'VerifyUser'>,
  user: UserRow | undefined,
): OutgoingFrom<'users'>[] {
  if (!user) return [{ type: 'UserRejected', data: { orderId, userId, reason: 'unknown_user' } }];
  if (!user.active) return [{ type: 'UserRejected', data: { orderId, userId, reason: 'inactive_user' } }];
  return [{ type: 'UserVerified', data: { orderId, userId } }];
}
