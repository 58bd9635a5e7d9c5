import { describe, expect, it } from 'vitest';
import { sagaJson, sagaTable } from './saga-table';

const confirmed = {
  orderId: '11111111-1111-4111-8111-111111111111',
  status: 'CONFIRMED' as const,
  startedAt: '2025-01-01T10:00:00.000Z',
  updatedAt: '2025-01-01T10:00:00.050Z',
  state: {},
};
const cancelled = {
  ...confirmed,
  orderId: '22222222-2222-4222-8222-222222222222',
  status: 'CANCELLED' as const,
  state: { failure: { reason: 'PAYMENT_DECLINED' } },
};

describe('a listing of sagas', () => {
  it('is a table with the reason a saga was cancelled, and a note after', () => {
    expect(sagaTable([confirmed, cancelled], (row) => (row === cancelled ? 'see the trace' : undefined))).toEqual([
      'ORDER ID                              STATUS        STARTED                   UPDATED                   REASON',
      `${confirmed.orderId}  CONFIRMED     2025-01-01T10:00:00.000Z  2025-01-01T10:00:00.050Z  –`,
      `${cancelled.orderId}  CANCELLED     2025-01-01T10:00:00.000Z  2025-01-01T10:00:00.050Z  PAYMENT_DECLINED  see the trace`,
    ]);
    expect(sagaTable([])).toEqual(['no sagas']);
  });

  it('is JSON lines with the reason, or null', () => {
    expect(JSON.parse(sagaJson(cancelled, { stuck: 'why' }))).toEqual({
      orderId: cancelled.orderId,
      status: 'CANCELLED',
      reason: 'PAYMENT_DECLINED',
      startedAt: cancelled.startedAt,
      updatedAt: cancelled.updatedAt,
      stuck: 'why',
    });
    expect(JSON.parse(sagaJson(confirmed)).reason).toBeNull();
  });
});
