import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope } from '../../contracts';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { applyAccountEvent, standingOf } from './account-status';
import { ordersSqlite } from './sqlite/store';

const userId = '0b6f1a52-8a39-4f0e-b1a4-3c2d9e8f7a61';
const event = (type: 'UserDeactivated' | 'UserReactivated', version: number) =>
  envelope({ type, data: { userId, version } }, { producer: 'users', correlationId: userId, causationId: null });

describe("orders' copy of account status", () => {
  let opened: ScratchDatabase<typeof ordersSqlite>;
  beforeEach(() => {
    opened = scratchDatabase(ordersSqlite);
  });
  afterEach(() => opened.remove());

  const apply = async (...events: ReturnType<typeof event>[]) => {
    for (const e of events) await opened.transaction((store) => applyAccountEvent(store, e, new Date()));
    return opened.read((store) => standingOf(store, userId));
  };

  it('an account it never heard of is active', async () => expect(await apply()).toBe('active'));
  it('follows deactivation and reactivation', async () => {
    expect(await apply(event('UserDeactivated', 1))).toBe('deactivated');
    expect(await apply(event('UserReactivated', 2))).toBe('active');
  });
  it('keeps the newest change when an older one arrives late or twice', async () => {
    expect(await apply(event('UserDeactivated', 3), event('UserReactivated', 2), event('UserDeactivated', 3))).toBe(
      'deactivated',
    );
    expect(await apply(event('UserReactivated', 4), event('UserDeactivated', 1))).toBe('active');
  });
});
