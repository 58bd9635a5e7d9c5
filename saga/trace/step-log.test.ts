import { describe, expect, it } from 'vitest';
import type { TraceRow } from '../runtime/sqlite/schema';
import { stepLog } from './step-log';

const orderId = 'order-1';
let seq = 0;
/** A trace row as the runner writes it: a message in (applied or ignored) or a command out. */
function row(
  type: string,
  direction: TraceRow['direction'],
  outcome: TraceRow['outcome'],
  { causationId = 'cause', at = '2026-12-01T10:00:00.000Z' }: { causationId?: string | null; at?: string } = {},
): TraceRow {
  seq++;
  return {
    seq,
    orderId,
    messageId: `m${seq}`,
    causationId,
    type,
    instance: null,
    data: null,
    change: null,
    producer: direction === 'in' ? 'users' : 'orchestrator',
    consumer: direction === 'in' ? 'orchestrator' : 'users',
    direction,
    outcome,
    note: null,
    occurredAt: at,
    recordedAt: at,
  };
}

describe('the step log, read off the trace', () => {
  it('a command sent starts its step, a reply applied ends it, with the message and the time', () => {
    const trace = [
      row('OrderRequested', 'in', 'applied'),
      row('VerifyUser', 'out', 'sent', { at: '2026-12-01T10:00:01.000Z' }),
      row('UserVerified', 'in', 'applied', { at: '2026-12-01T10:00:02.000Z' }),
      row('SettlePayment', 'out', 'sent'),
      row('PaymentDeclined', 'in', 'applied'),
    ];
    expect(stepLog(trace)).toEqual([
      { step: 'verifyUser', outcome: 'started', messageId: trace[1]!.messageId, at: '2026-12-01T10:00:01.000Z' },
      { step: 'verifyUser', outcome: 'succeeded', messageId: trace[2]!.messageId, at: '2026-12-01T10:00:02.000Z' },
      { step: 'settlePayment', outcome: 'started', messageId: trace[3]!.messageId, at: trace[3]!.recordedAt },
      { step: 'settlePayment', outcome: 'failed', messageId: trace[4]!.messageId, at: trace[4]!.recordedAt },
    ]);
  });

  it('a reply the saga ignored is not a step', () => {
    expect(stepLog([row('StockReserved', 'in', 'ignored')])).toEqual([]);
  });

  it('a command sent again at its deadline starts its step again; one resent after a restart does not', () => {
    const trace = [
      row('DeadlinePassed', 'in', 'applied'),
      row('RefundPayment', 'out', 'sent'),
      row('RefundPayment', 'out', 'sent', { causationId: null }),
    ];
    expect(stepLog(trace)).toEqual([
      { step: 'refundPayment', outcome: 'started', messageId: trace[1]!.messageId, at: trace[1]!.recordedAt },
    ]);
  });
});
