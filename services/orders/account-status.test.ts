import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { scratchDatabase } from '../../tests/support/scratch-database';
import { applyAccountEvent, standingOf } from './account-status';
import * as schema from './sqlite/schema';

const userId = '0b6f1a52-8a39-4f0e-b1a4-3c2d9e8f7a61';
const event = (type: 'UserDeactivated' | 'UserReactivated', version: number) =>
  envelope({ type, data: { userId, version } }, { producer: 'users', correlationId: userId, causationId: null });

describe("orders' copy of account status", () => {
  let opened: ReturnType<typeof scratchDatabase<typeof schema>>;
  beforeEach(() => (opened = scratchDatabase(schema, new URL('./sqlite/migrations', import.meta.url))));
  afterEach(() => opened.remove());

  const apply = (...events: ReturnType<typeof event>[]) => {
    for (const e of events) applyAccountEvent(opened.db, e, new Date());
    return standingOf(opened.db, userId);
  };

  it('an account it never heard of is active', () => expect(apply()).toBe('active'));
  it('follows deactivation and reactivation', () => {
    expect(apply(event('UserDeactivated', 1))).toBe('deactivated');
    expect(apply(event('UserReactivated', 2))).toBe('active');
  });
  it('keeps the newest change when an older one arrives late or twice', () => {
    expect(apply(event('UserDeactivated', 3), event('UserReactivated', 2), event('UserDeactivated', 3))).toBe(
      'deactivated',
    );
    expect(apply(event('UserReactivated', 4), event('UserDeactivated', 1))).toBe('active');
  });
});
