import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, type Message } from '../../contracts';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { paymentsSqlite } from '../../services/payments/sqlite/store';
import { inbox } from '../../broker/messaging/sqlite/tables';

// Any service's database carries the inbox; payments' will do.
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute));
const message = (): Message =>
  envelope(
    { type: 'RefundPayment', data: { orderId: randomUUID() } },
    { producer: 'orchestrator', correlationId: randomUUID(), causationId: null, now: at(0) },
  );

describe('the inbox', () => {
  let database: ScratchDatabase<typeof paymentsSqlite>;
  beforeEach(() => {
    database = scratchDatabase(paymentsSqlite);
  });
  afterEach(() => database.remove());

  const store = () => database.store;
  const remembered = () =>
    database.db
      .select()
      .from(inbox)
      .all()
      .map((row) => row.messageId);

  it('records a message once: a duplicate is not a first delivery', async () => {
    const first = message();
    expect(await store().recordFirstDelivery(first, at(1))).toBe(true);
    expect(await store().recordFirstDelivery(first, at(2))).toBe(false);
  });

  it('forgets the ids handled before the cutoff, oldest first and at most `limit` at once', async () => {
    const handled: Message[] = [];
    for (const minute of [1, 2, 3, 4]) {
      const each = message();
      await store().recordFirstDelivery(each, at(minute));
      handled.push(each);
    }

    expect(await store().forgetHandledBefore(at(4), 2)).toBe(2);
    expect(remembered()).toEqual(handled.slice(2).map((each) => each.messageId));
    expect(await store().forgetHandledBefore(at(4), 2)).toBe(1);
    expect(await store().forgetHandledBefore(at(4), 2)).toBe(0);
    // The id handled at the cutoff itself is kept.
    expect(remembered()).toEqual([handled[3]!.messageId]);
  });

  it('handles a duplicate again once its id is past the window: why the window must outlast any resend', async () => {
    const old = message();
    await store().recordFirstDelivery(old, at(1));
    await store().forgetHandledBefore(at(10), 100);
    expect(await store().recordFirstDelivery(old, at(11))).toBe(true);
  });
});
