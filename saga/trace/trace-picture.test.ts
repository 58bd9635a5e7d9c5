import { describe, expect, it } from 'vitest';
import type { TraceEntry } from '../runtime/store';
import type { SagaEnd } from './trace-format';
import { drawSaga, mermaidSaga } from './trace-picture';

const T0 = Date.parse('2025-01-01T10:00:00.000Z');
const now = new Date(T0 + 2_000);
let n = 0;
/** A message at `ms`; what the orchestrator receives is applied, what it sends is sent. */
function message(ms: number, type: string, route: string, fields: Partial<TraceEntry> = {}): TraceEntry {
  const [producer, consumer] = route.split(' → ') as [string, string];
  const incoming = consumer === 'orchestrator';
  return {
    messageId: `m${++n}`,
    causationId: null,
    type,
    producer,
    instance: null,
    data: null,
    change: null,
    consumer,
    direction: incoming ? 'in' : 'out',
    outcome: incoming ? 'applied' : 'sent',
    note: null,
    occurredAt: new Date(T0 + ms).toISOString(),
    recordedAt: new Date(T0 + ms).toISOString(),
    ...fields,
  };
}

// A declined payment: the stock is released, and a duplicate answer arrives long after the end.
const requested = message(0, 'OrderRequested', 'orders → orchestrator');
const reserved = message(15, 'StockReserved', 'products → orchestrator');
const declinedPayment = message(40, 'PaymentDeclined', 'payments → orchestrator');
const released = message(55, 'StockReleased', 'products → orchestrator');
const declined: TraceEntry[] = [
  requested,
  message(2, 'VerifyUser', 'orchestrator → users', { causationId: requested.messageId }),
  message(2, 'ReserveStock', 'orchestrator → products', { causationId: requested.messageId }),
  message(12, 'UserVerified', 'users → orchestrator'),
  reserved,
  message(15, 'SettlePayment', 'orchestrator → payments', { causationId: reserved.messageId }),
  declinedPayment,
  message(40, 'ReleaseStock', 'orchestrator → products', { causationId: declinedPayment.messageId }),
  released,
  message(55, 'OrderCancelled', 'orchestrator → orders', { causationId: released.messageId }),
  message(1234, 'StockReserved', 'products → orchestrator', { outcome: 'ignored', note: 'saga already CANCELLED' }),
];
const cancelled: SagaEnd = {
  status: 'CANCELLED',
  state: { failure: { reason: 'PAYMENT_DECLINED', detail: 'card_declined' } },
};

describe('the picture of a saga', () => {
  it('draws a lifeline per service and an arrow per message; parallel steps, compensations and ignored answers marked', () => {
    expect(drawSaga(declined, cancelled, now).map((line) => line.trimEnd())).toEqual([
      '             orders     orchestrator     users        products      payments',
      ' +0.000s        ├────────────▶│             │             │             │        OrderRequested',
      ' +0.002s        │             ├────────────▶│             │             │      ‖ VerifyUser',
      ' +0.002s        │             ├──────────────────────────▶│             │      ‖ ReserveStock',
      ' +0.012s        │             │◀────────────┤             │             │        UserVerified',
      ' +0.015s        │             │◀──────────────────────────┤             │        StockReserved',
      ' +0.015s        │             ├────────────────────────────────────────▶│        SettlePayment',
      ' +0.040s        │             │◀────────────────────────────────────────┤        PaymentDeclined',
      ' +0.040s        │             ├══════════════════════════▶│             │        ReleaseStock  ↩ compensation',
      ' +0.055s        │             │◀══════════════════════════┤             │        StockReleased  ↩ compensation',
      ' +0.055s        │◀────────────┤             │             │             │        OrderCancelled',
      ' +1.234s        │             │◀┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┤             │        StockReserved  ignored (saga already CANCELLED)',
      'CANCELLED PAYMENT_DECLINED (card_declined) after 0.055 s',
      '‖ sent together: steps in parallel   ═ compensation',
    ]);
  });

  it('as Mermaid: the parallel steps in a par block, compensations dotted, an ignored answer crossed', () => {
    expect(mermaidSaga(declined, cancelled, now)).toEqual([
      'sequenceDiagram',
      '  participant orders',
      '  participant orchestrator',
      '  participant users',
      '  participant products',
      '  participant payments',
      '  orders->>orchestrator: OrderRequested (+0.000s)',
      '  par',
      '    orchestrator->>users: VerifyUser (+0.002s)',
      '  and',
      '    orchestrator->>products: ReserveStock (+0.002s)',
      '  end',
      '  users->>orchestrator: UserVerified (+0.012s)',
      '  products->>orchestrator: StockReserved (+0.015s)',
      '  orchestrator->>payments: SettlePayment (+0.015s)',
      '  payments->>orchestrator: PaymentDeclined (+0.040s)',
      '  orchestrator-->>products: ReleaseStock (+0.040s, compensation)',
      '  products-->>orchestrator: StockReleased (+0.055s, compensation)',
      '  orchestrator->>orders: OrderCancelled (+0.055s)',
      '  products-xorchestrator: StockReserved (+1.234s, ignored: saga already CANCELLED)',
      '  Note over orders,payments: CANCELLED PAYMENT_DECLINED (card_declined) after 0.055 s',
    ]);
  });

  it('a saga still running, or with no message yet', () => {
    expect(drawSaga(declined.slice(0, 3), { status: 'RUNNING', state: {} }, now).at(-2)).toBe(
      'still RUNNING after 0.002 s',
    );
    expect(drawSaga([], null, now).slice(1)).toEqual(['no saga state (no message was applied)']);
  });

  it('a running saga shows the steps it awaits, soonest deadline first, and how long until each', () => {
    const waiting: SagaEnd = {
      status: 'RUNNING',
      state: {
        deadlines: {
          settlePayment: new Date(T0 + 30_000).toISOString(),
          verifyUser: new Date(T0 + 1_000).toISOString(),
        },
      },
    };
    expect(drawSaga(declined.slice(0, 3), waiting, now).slice(-3, -1)).toEqual([
      '  awaiting verifyUser, past its deadline by 1.0 s',
      '  awaiting settlePayment, deadline in 28.0 s',
    ]);
    expect(mermaidSaga(declined.slice(0, 3), waiting, now).slice(-2)).toEqual([
      '  Note over orchestrator: awaiting verifyUser, past its deadline by 1.0 s',
      '  Note over orchestrator: awaiting settlePayment, deadline in 28.0 s',
    ]);
    expect(drawSaga(declined, { ...cancelled, state: { ...cancelled.state, ...waiting.state } }, now)).toEqual(
      drawSaga(declined, cancelled, now),
    );
  });
});
