import { describe, expect, it } from 'vitest';
import type { TraceEntry } from '../runtime/store';
import {
  formatEnd,
  formatMessage,
  formatOffset,
  isCompensation,
  jsonRenderer,
  renderTrace,
  textRenderer,
  type SagaEnd,
} from './trace-format';

const ORDER = '11111111-1111-4111-8111-111111111111';
const T0 = Date.parse('2025-01-01T10:00:00.000Z');

let n = 0;
function entry(ms: number, fields: Partial<TraceEntry> & Pick<TraceEntry, 'type'>): TraceEntry {
  n += 1;
  const incoming = fields.consumer === 'orchestrator';
  return {
    messageId: `m${n}`,
    causationId: null,
    producer: 'orchestrator',
    instance: null,
    data: null,
    change: null,
    consumer: 'orchestrator',
    direction: incoming ? 'in' : 'out',
    outcome: incoming ? 'applied' : 'sent',
    note: null,
    occurredAt: new Date(T0 + ms).toISOString(),
    recordedAt: new Date(T0 + ms).toISOString(),
    ...fields,
  };
}
const cmd = (ms: number, type: string, consumer: string) => entry(ms, { type, consumer, producer: 'orchestrator' });
const reply = (ms: number, type: string, producer: string, extra: Partial<TraceEntry> = {}) =>
  entry(ms, { type, producer, consumer: 'orchestrator', ...extra });

const declined: TraceEntry[] = [
  reply(0, 'OrderRequested', 'orders'),
  cmd(2, 'VerifyUser', 'users'),
  cmd(2, 'ReserveStock', 'products'),
  reply(12, 'UserVerified', 'users'),
  reply(15, 'StockReserved', 'products'),
  cmd(15, 'SettlePayment', 'payments'),
  reply(40, 'PaymentDeclined', 'payments'),
  cmd(40, 'ReleaseStock', 'products'),
  reply(55, 'StockReleased', 'products'),
  cmd(55, 'OrderCancelled', 'orders'),
  reply(1234, 'StockReserved', 'products', { outcome: 'ignored', note: 'saga already CANCELLED' }),
];
const cancelled: SagaEnd = {
  status: 'CANCELLED',
  state: { failure: { reason: 'PAYMENT_DECLINED', detail: 'card_declined' } },
};

describe('trace formatting', () => {
  it('formats offsets from the first message in seconds', () => {
    expect(formatOffset(0)).toBe('+0.000s');
    expect(formatOffset(12)).toBe('+0.012s');
    expect(formatOffset(61_250)).toBe('+61.250s');
    expect(formatOffset(-3)).toBe('-0.003s');
  });

  it('marks compensation commands and their replies only', () => {
    expect(['ReleaseStock', 'StockReleased', 'RefundPayment', 'PaymentRefunded'].every(isCompensation)).toBe(true);
    expect(['ReserveStock', 'CommitStock', 'PaymentDeclined', 'OrderCancelled', 'Nonsense'].some(isCompensation)).toBe(
      false,
    );
  });

  it('renders one line per message and the terminal state', () => {
    const lines = renderTrace(textRenderer(), ORDER, declined, cancelled);
    expect(lines).toHaveLength(declined.length + 1);
    expect(lines[0]).toBe(' +0.000s  orders → orchestrator    OrderRequested             applied');
    expect(lines[1]).toBe(' +0.002s  orchestrator → users     VerifyUser                 sent');
    expect(lines[7]).toBe(' +0.040s  orchestrator → products  ReleaseStock               sent  ↩ compensation');
    expect(lines[8]).toBe(' +0.055s  products → orchestrator  StockReleased              applied  ↩ compensation');
    expect(lines[10]).toBe(
      ' +1.234s  products → orchestrator  StockReserved              ignored (saga already CANCELLED)',
    );
    expect(lines.at(-1)).toBe('CANCELLED PAYMENT_DECLINED (card_declined)');
    expect(lines.filter((line) => line.includes('↩ compensation'))).toHaveLength(2);
  });

  it('states how the saga ended, or that it has not', () => {
    expect(formatEnd({ status: 'CONFIRMED', state: {} })).toBe('CONFIRMED');
    expect(formatEnd({ status: 'CANCELLED', state: { failure: { reason: 'OUT_OF_STOCK' } } })).toBe(
      'CANCELLED OUT_OF_STOCK',
    );
    expect(formatEnd({ status: 'RUNNING', state: {} })).toBe('still RUNNING');
    expect(
      formatEnd({ status: 'COMPENSATING', state: { failure: { reason: 'STEP_TIMEOUT', detail: 'settlePayment' } } }),
    ).toBe('still COMPENSATING');
    expect(formatEnd(null)).toMatch(/^no saga state/);
  });

  it('keeps long producer and consumer names whole', () => {
    const line = formatMessage(cmd(5, 'OrderConfirmed', 'orders,payments,notifications'), declined[0]!.occurredAt);
    expect(line).toContain('orchestrator → orders,payments,notifications OrderConfirmed');
  });

  it('shows under an input what it changed in the saga, and with --payload its data first', () => {
    const settled = reply(40, 'PaymentSettled', 'payments', {
      data: { orderId: ORDER, paymentId: 'p1', amountCents: 2500 },
      change: {
        'steps.settlePayment': ['pending', 'succeeded'],
        'deadlines.settlePayment': ['2025-01-01T10:00:05.000Z', null],
        'results.settlePayment': [null, { paymentId: 'p1', invoiceId: 'i1', note: 'x'.repeat(40) }],
        status: ['RUNNING', 'CONFIRMED'],
      },
    });
    const changed = [
      ' +0.040s  payments → orchestrator  PaymentSettled             applied',
      '    steps.settlePayment: pending → succeeded',
      '    deadlines.settlePayment: 10:00:05.000 → –',
      `    results.settlePayment: – → {"paymentId":"p1","invoiceId":"i1","note":"${'x'.repeat(17)}…`,
      '    status: RUNNING → CONFIRMED',
    ];
    expect(textRenderer().message(settled, declined[0]!.occurredAt)).toEqual(changed);
    expect(textRenderer({ payload: true }).message(settled, declined[0]!.occurredAt)).toEqual([
      changed[0],
      `    {"orderId":"${ORDER}","paymentId":"p1","amountCents":2500}`,
      ...changed.slice(1),
    ]);
  });

  it('shows nothing more for a row recorded before the trace kept data and changes', () => {
    const old = reply(12, 'UserVerified', 'users');
    expect(textRenderer({ payload: true }).message(old, declined[0]!.occurredAt)).toEqual([
      ' +0.012s  users → orchestrator     UserVerified               applied',
    ]);
  });

  it('renders only the state line for a saga without messages', () => {
    expect(renderTrace(textRenderer(), ORDER, [], { status: 'RUNNING', state: {} })).toEqual(['still RUNNING']);
  });

  it('renders JSON lines: one per message, then the final state', () => {
    const lines = renderTrace(jsonRenderer, ORDER, declined, cancelled);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.slice(0, -1).map((m) => m.type)).toEqual(declined.map((m) => m.type));
    expect(parsed[7]).toEqual({ kind: 'message', offsetMs: 40, ...declined[7], compensation: true });
    const settled = reply(40, 'PaymentSettled', 'payments', {
      data: { orderId: ORDER },
      change: { status: ['RUNNING', 'CONFIRMED'] },
    });
    expect(jsonRenderer.message(settled, declined[0]!.occurredAt).map((line) => JSON.parse(line))).toEqual([
      { kind: 'message', offsetMs: 40, ...settled, compensation: false },
    ]);
    expect(parsed[10]).toMatchObject({
      kind: 'message',
      offsetMs: 1234,
      outcome: 'ignored',
      note: 'saga already CANCELLED',
      compensation: false,
    });
    expect(parsed.at(-1)).toEqual({
      kind: 'end',
      orderId: ORDER,
      status: 'CANCELLED',
      terminal: true,
      reason: 'PAYMENT_DECLINED',
      detail: 'card_declined',
    });
    expect(JSON.parse(jsonRenderer.end(ORDER, { status: 'RUNNING', state: {} }))).toEqual({
      kind: 'end',
      orderId: ORDER,
      status: 'RUNNING',
      terminal: false,
    });
  });
});
