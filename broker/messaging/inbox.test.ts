import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type Message } from '../../contracts';
import { scratchDatabase } from '../../tests/support/scratch-database';
import * as schema from '../../services/payments/sqlite/schema';
import { forgetHandledBefore, inbox, recordFirstDelivery } from './inbox';

// Any service's database carries the inbox; payments' will do.
const migrations = new URL('../../services/payments/sqlite/migrations', import.meta.url);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute));
const message = (): Message =>
  envelope(
    { type: 'RefundPayment', data: { orderId: randomUUID() } },
    { producer: 'orchestrator', correlationId: randomUUID(), causationId: null, now: at(0) },
  );

describe('the inbox', () => {
  let database: ReturnType<typeof scratchDatabase<typeof schema>>;
  beforeEach(() => (database = scratchDatabase(schema, migrations)));
  afterEach(() => database.remove());

  const remembered = () =>
    database.db
      .select()
      .from(inbox)
      .all()
      .map((row) => row.messageId);

  it('records a message once: a duplicate is not a first delivery', () => {
    const first = message();
    expect(recordFirstDelivery(database.db, first, at(1))).toBe(true);
    expect(recordFirstDelivery(database.db, first, at(2))).toBe(false);
  });

  it('forgets the ids handled before the cutoff, oldest first and at most `limit` at once', () => {
    const handled = [1, 2, 3, 4].map((minute) => {
      const each = message();
      recordFirstDelivery(database.db, each, at(minute));
      return each;
    });

    expect(forgetHandledBefore(database.db, at(4), 2)).toBe(2);
    expect(remembered()).toEqual(handled.slice(2).map((each) => each.messageId));
    expect(forgetHandledBefore(database.db, at(4), 2)).toBe(1);
    expect(forgetHandledBefore(database.db, at(4), 2)).toBe(0);
    // The id handled at the cutoff itself is kept.
    expect(remembered()).toEqual([handled[3]!.messageId]);
  });

  it('handles a duplicate again once its id is past the window: why the window must outlast any resend', () => {
    const old = message();
    recordFirstDelivery(database.db, old, at(1));
    forgetHandledBefore(database.db, at(10), 100);
    expect(recordFirstDelivery(database.db, old, at(11))).toBe(true);
  });
});
