import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';
import { Admission, SHEDDING_SHOWN_MS } from './admission';
import { ordersSqlite } from './sqlite/store';

describe('admission of new orders', () => {
  let opened: ScratchDatabase<typeof ordersSqlite>;
  beforeEach(() => {
    opened = scratchDatabase(ordersSqlite);
  });
  afterEach(() => opened.remove());

  const placePending = (id: string) =>
    opened.transaction((store) =>
      store.insertOrder({
        id,
        userId: '0b6f1a52-8a39-4f0e-b1a4-3c2d9e8f7a61',
        status: 'PENDING',
        reason: null,
        detail: null,
        items: [],
        totalCents: null,
        invoiceId: null,
        cardLast4: '4242',
        createdAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
      }),
    );
  const settleAll = () => opened.client.prepare("UPDATE orders SET status = 'CONFIRMED'").run();

  it('sheds at the limit of pending orders, and accepts below it', async () => {
    const admission = new Admission(2);
    await placePending('8d1c6a3e-0f4b-4c59-9a7e-2b6d5f3e1a01');
    expect(await admission.check(opened.store, 0)).toEqual({ status: 'accepting', pending: 1, limit: 2 });
    await placePending('8d1c6a3e-0f4b-4c59-9a7e-2b6d5f3e1a02');
    expect(await admission.check(opened.store, 0)).toEqual({ status: 'shedding', pending: 2, limit: 2 });
  });

  it('goes on reporting shedding for a while after the last refusal, then accepting', async () => {
    const admission = new Admission(1);
    expect((await admission.report(opened.store, 0)).status).toBe('accepting');
    await placePending('8d1c6a3e-0f4b-4c59-9a7e-2b6d5f3e1a03');
    expect((await admission.check(opened.store, 10_000)).status).toBe('shedding');
    settleAll();
    expect(await admission.report(opened.store, 10_000 + SHEDDING_SHOWN_MS - 1)).toEqual({
      status: 'shedding',
      pending: 0,
      limit: 1,
    });
    expect((await admission.report(opened.store, 10_000 + SHEDDING_SHOWN_MS)).status).toBe('accepting');
  });
});
