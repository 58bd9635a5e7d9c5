import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDatabase } from '../../tests/support/scratch-database';
import { Admission, SHEDDING_SHOWN_MS } from './admission';
import * as schema from './sqlite/schema';
import { insertOrder } from './store';

describe('admission of new orders', () => {
  let opened: ReturnType<typeof scratchDatabase<typeof schema>>;
  beforeEach(() => (opened = scratchDatabase(schema, new URL('./sqlite/migrations', import.meta.url))));
  afterEach(() => opened.remove());

  const placePending = (id: string) =>
    insertOrder(opened.db, {
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
    });
  const settleAll = () => opened.client.prepare("UPDATE orders SET status = 'CONFIRMED'").run();

  it('sheds at the limit of pending orders, and accepts below it', () => {
    const admission = new Admission(2);
    placePending('8d1c6a3e-0f4b-4c59-9a7e-2b6d5f3e1a01');
    expect(admission.check(opened.db, 0)).toEqual({ status: 'accepting', pending: 1, limit: 2 });
    placePending('8d1c6a3e-0f4b-4c59-9a7e-2b6d5f3e1a02');
    expect(admission.check(opened.db, 0)).toEqual({ status: 'shedding', pending: 2, limit: 2 });
  });

  it('goes on reporting shedding for a while after the last refusal, then accepting', () => {
    const admission = new Admission(1);
    expect(admission.report(opened.db, 0).status).toBe('accepting');
    placePending('8d1c6a3e-0f4b-4c59-9a7e-2b6d5f3e1a03');
    expect(admission.check(opened.db, 10_000).status).toBe('shedding');
    settleAll();
    expect(admission.report(opened.db, 10_000 + SHEDDING_SHOWN_MS - 1)).toEqual({
      status: 'shedding',
      pending: 0,
      limit: 1,
    });
    expect(admission.report(opened.db, 10_000 + SHEDDING_SHOWN_MS).status).toBe('accepting');
  });
});
