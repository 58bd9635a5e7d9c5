import { envelope, type AccountEvent } from '../../contracts';
import type { UserRow } from './store';

/** The event telling other services that an account's `active` changed; the user id correlates it. */
export const accountEvent = (user: UserRow, now: Date, traceparent?: string): AccountEvent =>
  envelope(
    {
      type: user.active ? 'UserReactivated' : 'UserDeactivated',
      data: { userId: user.id, version: user.statusVersion },
    },
    { producer: 'users', correlationId: user.id, causationId: null, traceparent, now },
  );
