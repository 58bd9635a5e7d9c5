import { describe, expect, it } from 'vitest';
import type { MessageType, OrderMessage, Outgoing } from '../contracts';
import { decide, isTerminal } from './order-saga';
import type { SagaState } from './order-saga';
import {
  byType,
  cancellationRequested,
  card,
  cause,
  commitStock,
  deadlinePassed,
  expectInvariants,
  fold,
  given,
  invariantViolations,
  invoiceId,
  items,
  lines,
  message,
  now,
  orderCancelled,
  orderConfirmed,
  orderId,
  orderRequested,
  paid,
  paymentDeclined,
  paymentId,
  paymentRefunded,
  paymentSettled,
  policy,
  productA,
  productB,
  readyToPay,
  refundPayment,
  releaseStock,
  reserveStock,
  settlePayment,
  started,
  stockCommitted,
  stockRejected,
  stockReleased,
  stockReserved,
  totalCents,
  userId,
  userRejected,
  userVerified,
  verifyUser,
} from './order-saga.fixtures';

// ---------------------------------------------------------------------------------------------

describe('order saga: start', () => {
  it('OrderRequested starts the saga with VerifyUser and ReserveStock in parallel, nothing else', () => {
    given()
      .when(orderRequested())
      .then({
        commands: [verifyUser, reserveStock],
        outcome: 'applied',
        status: 'RUNNING',
        user: 'pending',
        stock: 'pending',
        payment: 'not_started',
        failure: null,
      });
  });

  it('records the order, the user, the items and the sealed card from the request', () => {
    const { state } = given(orderRequested());
    expect(state).toMatchObject({ orderId, userId, items, card });
  });

  it('a second OrderRequested is ignored', () => {
    given(...started)
      .when(orderRequested())
      .thenIgnored(/already started/);
    given(...readyToPay)
      .when(orderRequested())
      .thenIgnored(/already started/);
  });

  it('one reply alone does not start payment', () => {
    given(...started)
      .when(userVerified())
      .then({ commands: [], outcome: 'applied', user: 'verified', payment: 'not_started' });
    given(...started)
      .when(stockReserved())
      .then({ commands: [], outcome: 'applied', stock: 'reserved', payment: 'not_started' });
  });
});

describe('order saga: payment waits for both parallel steps', () => {
  it('user verified, then stock reserved → SettlePayment with priced lines, total and sealed card', () => {
    given(orderRequested(), userVerified())
      .when(stockReserved())
      .then({ commands: [settlePayment], outcome: 'applied', status: 'RUNNING', payment: 'pending' });
  });

  it('stock reserved, then user verified → the same SettlePayment', () => {
    given(orderRequested(), stockReserved())
      .when(userVerified())
      .then({ commands: [settlePayment], outcome: 'applied', status: 'RUNNING', payment: 'pending' });
  });

  it('SettlePayment amount is the total priced by the stock service, not recomputed', () => {
    const { decision } = given(orderRequested(), userVerified()).when(stockReserved());
    const command = decision.commands[0];
    expect(command?.type).toBe('SettlePayment');
    if (command?.type === 'SettlePayment') {
      expect(command.data.amountCents).toBe(totalCents);
      expect(command.data.lines).toEqual(lines);
      expect(command.data.card).toEqual(card);
    }
  });
});

describe('order saga: success', () => {
  it('PaymentSettled → CommitStock', () => {
    given(...readyToPay)
      .when(paymentSettled())
      .then({
        commands: [commitStock],
        outcome: 'applied',
        status: 'RUNNING',
        payment: 'settled',
        stock: 'committing',
      });
  });

  it('StockCommitted → CONFIRMED with OrderConfirmed carrying lines, total and invoiceId', () => {
    given(...paid)
      .when(stockCommitted())
      .then({
        commands: [orderConfirmed],
        outcome: 'applied',
        status: 'CONFIRMED',
        user: 'verified',
        stock: 'committed',
        payment: 'settled',
        failure: null,
      });
  });

  it('a confirmed saga ignores a customer cancellation', () => {
    given(...paid, stockCommitted())
      .when(cancellationRequested())
      .thenIgnored(/already CONFIRMED/);
  });
});

describe('order saga: user rejected', () => {
  it('while stock is still pending: waits, no commands', () => {
    given(...started)
      .when(userRejected('inactive_user'))
      .then({
        commands: [],
        outcome: 'applied',
        status: 'COMPENSATING',
        user: 'rejected',
        stock: 'pending',
        failure: { reason: 'USER_REJECTED', detail: 'inactive_user' },
      });
  });

  it('then StockReserved → ReleaseStock (never SettlePayment)', () => {
    given(orderRequested(), userRejected('inactive_user'))
      .when(stockReserved())
      .then({
        commands: [releaseStock],
        outcome: 'applied',
        status: 'COMPENSATING',
        stock: 'releasing',
        payment: 'not_started',
      });
  });

  it('then StockReleased → CANCELLED, OrderCancelled USER_REJECTED with the rejection reason as detail', () => {
    given(orderRequested(), userRejected('inactive_user'), stockReserved())
      .when(stockReleased())
      .then({
        commands: [orderCancelled('USER_REJECTED', 'inactive_user')],
        outcome: 'applied',
        status: 'CANCELLED',
        stock: 'released',
        payment: 'not_started',
        failure: { reason: 'USER_REJECTED', detail: 'inactive_user' },
      });
  });

  it('after stock was reserved → ReleaseStock at once', () => {
    given(orderRequested(), stockReserved())
      .when(userRejected('unknown_user'))
      .then({ commands: [releaseStock], outcome: 'applied', status: 'COMPENSATING', stock: 'releasing' });
  });

  it('while stock pending, then StockRejected → CANCELLED at once, still USER_REJECTED', () => {
    given(orderRequested(), userRejected('unknown_user'))
      .when(stockRejected('OUT_OF_STOCK'))
      .then({
        commands: [orderCancelled('USER_REJECTED', 'unknown_user')],
        status: 'CANCELLED',
        failure: { reason: 'USER_REJECTED', detail: 'unknown_user' },
      });
  });
});

describe('order saga: stock rejected', () => {
  for (const reason of ['OUT_OF_STOCK', 'UNKNOWN_PRODUCT'] as const) {
    it(`${reason} with the user still pending → CANCELLED at once, nothing to compensate`, () => {
      given(...started)
        .when(stockRejected(reason, productA))
        .then({
          commands: [orderCancelled(reason, `product ${productA}`)],
          outcome: 'applied',
          status: 'CANCELLED',
          stock: 'rejected',
          payment: 'not_started',
          failure: { reason, detail: `product ${productA}` },
        });
    });

    it(`${reason} after the user was verified → CANCELLED at once`, () => {
      given(orderRequested(), userVerified())
        .when(stockRejected(reason))
        .then({ commands: [orderCancelled(reason, `product ${productB}`)], status: 'CANCELLED' });
    });
  }

  // Expected (brief): a reply that lands on a terminal saga is ignored, with a reason, and the
  // state is left as it is. Actual: see the report — decide() records it and says "applied".
  it("the user's late UserVerified after the cancel is ignored with no commands", () => {
    given(orderRequested(), stockRejected('OUT_OF_STOCK'))
      .when(userVerified())
      .thenIgnored(/CANCELLED|already|terminal/);
  });

  it("the user's late UserRejected after the cancel is ignored and does not change the reason", () => {
    given(orderRequested(), stockRejected('OUT_OF_STOCK'))
      .when(userRejected())
      .thenIgnored(/CANCELLED|already|terminal/);
  });

  it('a late reply on the cancelled saga never emits commands nor changes status or reason', () => {
    for (const late of [userVerified(), userRejected()]) {
      given(orderRequested(), stockRejected('UNKNOWN_PRODUCT', productA))
        .when(late)
        .then({
          commands: [],
          status: 'CANCELLED',
          failure: { reason: 'UNKNOWN_PRODUCT', detail: `product ${productA}` },
        });
    }
  });
});

describe('order saga: payment declined', () => {
  for (const reason of ['card_declined', 'insufficient_funds'] as const) {
    it(`${reason} → ReleaseStock, never RefundPayment`, () => {
      const { decision } = given(...readyToPay).when(paymentDeclined(reason));
      expect(decision.commands.map((c) => c.type)).not.toContain('RefundPayment');
      given(...readyToPay)
        .when(paymentDeclined(reason))
        .then({
          commands: [releaseStock],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'releasing',
          payment: 'declined',
          failure: { reason: 'PAYMENT_DECLINED', detail: reason },
        });
    });

    it(`${reason}, then StockReleased → CANCELLED PAYMENT_DECLINED with detail ${reason}`, () => {
      given(...readyToPay, paymentDeclined(reason))
        .when(stockReleased())
        .then({
          commands: [orderCancelled('PAYMENT_DECLINED', reason)],
          status: 'CANCELLED',
          stock: 'released',
          payment: 'declined',
        });
    });
  }
});

describe('order saga: customer cancellation', () => {
  describe('before any reply', () => {
    it('waits for the stock reply', () => {
      given(...started)
        .when(cancellationRequested())
        .then({
          commands: [],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'pending',
          failure: { reason: 'CANCELLED_BY_CUSTOMER' },
        });
    });

    it('StockReserved afterwards → ReleaseStock, not SettlePayment, even with the user verified', () => {
      given(orderRequested(), cancellationRequested(), userVerified())
        .when(stockReserved())
        .then({ commands: [releaseStock], stock: 'releasing', payment: 'not_started' });
    });

    it('StockReleased → CANCELLED CANCELLED_BY_CUSTOMER', () => {
      given(orderRequested(), cancellationRequested(), stockReserved())
        .when(stockReleased())
        .then({ commands: [orderCancelled('CANCELLED_BY_CUSTOMER')], status: 'CANCELLED' });
    });

    it('StockRejected afterwards → CANCELLED at once, still CANCELLED_BY_CUSTOMER', () => {
      given(orderRequested(), cancellationRequested())
        .when(stockRejected('OUT_OF_STOCK'))
        .then({ commands: [orderCancelled('CANCELLED_BY_CUSTOMER')], status: 'CANCELLED' });
    });
  });

  describe('while payment is pending', () => {
    // The stock is released at once (the payment outcome no longer matters), the saga then
    // waits for the payment reply.
    it('releases the reserved stock at once and waits for the payment reply', () => {
      given(...readyToPay)
        .when(cancellationRequested())
        .then({
          commands: [releaseStock],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'releasing',
          payment: 'pending',
          failure: { reason: 'CANCELLED_BY_CUSTOMER' },
        });
    });

    it('PaymentSettled afterwards → RefundPayment (stock already being released), never CommitStock', () => {
      given(...readyToPay, cancellationRequested())
        .when(paymentSettled())
        .then({ commands: [refundPayment], status: 'COMPENSATING', payment: 'refunding', stock: 'releasing' });
    });

    it('the settled payment and the release: ReleaseStock + RefundPayment are both issued, never a commit', () => {
      const cancelDecision = given(...readyToPay).when(cancellationRequested()).decision;
      const settleDecision = given(...readyToPay, cancellationRequested()).when(paymentSettled()).decision;
      const issued = [...cancelDecision.commands, ...settleDecision.commands].map((c) => c.type).sort();
      expect(issued).toEqual(['RefundPayment', 'ReleaseStock']);
    });

    it('waits for both replies: StockReleased alone does not cancel', () => {
      given(...readyToPay, cancellationRequested(), paymentSettled())
        .when(stockReleased())
        .then({ commands: [], status: 'COMPENSATING', stock: 'released', payment: 'refunding' });
    });

    it('PaymentRefunded alone does not cancel', () => {
      given(...readyToPay, cancellationRequested(), paymentSettled())
        .when(paymentRefunded())
        .then({ commands: [], status: 'COMPENSATING', stock: 'releasing', payment: 'refunded' });
    });

    it('both replies in → CANCELLED CANCELLED_BY_CUSTOMER (either order)', () => {
      given(...readyToPay, cancellationRequested(), paymentSettled(), stockReleased())
        .when(paymentRefunded())
        .then({
          commands: [orderCancelled('CANCELLED_BY_CUSTOMER')],
          status: 'CANCELLED',
          payment: 'refunded',
          stock: 'released',
        });
      given(...readyToPay, cancellationRequested(), paymentSettled(), paymentRefunded())
        .when(stockReleased())
        .then({
          commands: [orderCancelled('CANCELLED_BY_CUSTOMER')],
          status: 'CANCELLED',
          payment: 'refunded',
          stock: 'released',
        });
    });

    it('StockReleased before the payment reply: still waits for the payment', () => {
      given(...readyToPay, cancellationRequested())
        .when(stockReleased())
        .then({ commands: [], status: 'COMPENSATING', stock: 'released', payment: 'pending' });
    });

    it('PaymentDeclined afterwards: nothing to refund; the reason stays CANCELLED_BY_CUSTOMER', () => {
      given(...readyToPay, cancellationRequested(), stockReleased())
        .when(paymentDeclined('insufficient_funds'))
        .then({
          commands: [orderCancelled('CANCELLED_BY_CUSTOMER')],
          status: 'CANCELLED',
          payment: 'declined',
          failure: { reason: 'CANCELLED_BY_CUSTOMER' },
        });
    });
  });

  describe('while stock is being committed', () => {
    it('refunds the settled payment at once and waits for the commit reply', () => {
      given(...paid)
        .when(cancellationRequested())
        .then({
          commands: [refundPayment],
          outcome: 'applied',
          status: 'COMPENSATING',
          stock: 'committing',
          payment: 'refunding',
        });
    });

    it('StockCommitted afterwards → ReleaseStock, never OrderConfirmed', () => {
      given(...paid, cancellationRequested())
        .when(stockCommitted())
        .then({ commands: [releaseStock], status: 'COMPENSATING', stock: 'releasing' });
    });

    it('ReleaseStock + RefundPayment are both issued over the cancel and the commit reply', () => {
      const onCancel = given(...paid).when(cancellationRequested()).decision;
      const onCommit = given(...paid, cancellationRequested()).when(stockCommitted()).decision;
      const issued = [...onCancel.commands, ...onCommit.commands].map((c) => c.type).sort();
      expect(issued).toEqual(['RefundPayment', 'ReleaseStock']);
    });

    it('StockReleased + PaymentRefunded → CANCELLED CANCELLED_BY_CUSTOMER', () => {
      given(...paid, cancellationRequested(), stockCommitted(), paymentRefunded())
        .when(stockReleased())
        .then({ commands: [orderCancelled('CANCELLED_BY_CUSTOMER')], status: 'CANCELLED' });
    });
  });

  describe('after the saga is terminal', () => {
    it('a cancelled saga ignores it', () => {
      given(orderRequested(), stockRejected())
        .when(cancellationRequested())
        .thenIgnored(/already CANCELLED/);
    });

    it('a confirmed saga ignores it', () => {
      given(...paid, stockCommitted())
        .when(cancellationRequested())
        .thenIgnored(/already CONFIRMED/);
    });
  });
});

describe('order saga: the first failure wins', () => {
  it('PaymentDeclined after a customer cancel keeps CANCELLED_BY_CUSTOMER (covered above); cancel after a decline keeps PAYMENT_DECLINED', () => {
    given(...readyToPay, paymentDeclined('card_declined'))
      .when(cancellationRequested())
      .then({ commands: [], status: 'COMPENSATING', failure: { reason: 'PAYMENT_DECLINED', detail: 'card_declined' } });
  });

  it('UserRejected then StockRejected: USER_REJECTED', () => {
    given(orderRequested(), userRejected('unknown_user'))
      .when(stockRejected('UNKNOWN_PRODUCT'))
      .then({ failure: { reason: 'USER_REJECTED', detail: 'unknown_user' } });
  });

  it('cancel, then UserRejected: CANCELLED_BY_CUSTOMER', () => {
    given(orderRequested(), cancellationRequested())
      .when(userRejected())
      .then({ commands: [], failure: { reason: 'CANCELLED_BY_CUSTOMER' } });
  });

  it('UserRejected, then cancel: USER_REJECTED and no second compensation', () => {
    given(orderRequested(), stockReserved(), userRejected('inactive_user'))
      .when(cancellationRequested())
      .then({ commands: [], stock: 'releasing', failure: { reason: 'USER_REJECTED', detail: 'inactive_user' } });
  });
});

describe('order saga: duplicate and out-of-place messages are ignored', () => {
  it('StockReserved twice', () => {
    given(orderRequested(), stockReserved())
      .when(stockReserved())
      .thenIgnored(/stock already reserved/);
  });

  it('StockReserved again once payment is pending does not issue a second SettlePayment', () => {
    given(...readyToPay)
      .when(stockReserved())
      .thenIgnored(/stock already/);
  });

  it('UserVerified twice', () => {
    given(orderRequested(), userVerified())
      .when(userVerified())
      .thenIgnored(/user already verified/);
  });

  it('UserVerified after UserRejected', () => {
    given(orderRequested(), userRejected())
      .when(userVerified())
      .thenIgnored(/user already rejected/);
  });

  it('StockRejected after StockReserved', () => {
    given(orderRequested(), stockReserved())
      .when(stockRejected())
      .thenIgnored(/stock already reserved/);
  });

  it('PaymentSettled twice, and PaymentSettled before any SettlePayment', () => {
    given(...paid)
      .when(paymentSettled())
      .thenIgnored(/payment already settled/);
    given(...started)
      .when(paymentSettled())
      .thenIgnored(/payment already not_started/);
  });

  it('PaymentDeclined after PaymentSettled', () => {
    given(...paid)
      .when(paymentDeclined())
      .thenIgnored(/payment already settled/);
  });

  it('StockCommitted when not committing', () => {
    given(...readyToPay)
      .when(stockCommitted())
      .thenIgnored(/stock is reserved/);
    given(...paid, stockCommitted())
      .when(stockCommitted())
      .thenIgnored(/saga already CONFIRMED/);
  });

  it('StockReleased when nothing is being released', () => {
    given(orderRequested(), stockReserved())
      .when(stockReleased())
      .thenIgnored(/stock is reserved/);
  });

  it('PaymentRefunded when nothing is being refunded', () => {
    given(...paid)
      .when(paymentRefunded())
      .thenIgnored(/payment is settled/);
  });

  it('a reply for an unknown saga (state undefined)', () => {
    for (const reply of [
      userVerified(),
      stockReserved(),
      paymentSettled(),
      stockCommitted(),
      cancellationRequested(),
    ]) {
      given()
        .when(reply)
        .thenIgnored(/no saga/);
    }
  });

  it("commands and the saga's own events fed back to it", () => {
    const notInputs: OrderMessage[] = [
      message('VerifyUser', { orderId, userId }),
      message('ReserveStock', { orderId, items }),
      message('SettlePayment', { orderId, userId, lines, amountCents: totalCents, card }),
      message('CommitStock', { orderId }),
      message('ReleaseStock', { orderId }),
      message('RefundPayment', { orderId }),
      message('OrderConfirmed', { orderId, lines, totalCents, invoiceId }),
      message('OrderCancelled', { orderId, reason: 'OUT_OF_STOCK' }),
    ];
    for (const m of notInputs) {
      given(...readyToPay)
        .when(m)
        .thenIgnored(new RegExp(`${m.type} is not an input`));
    }
  });

  it('decide does not mutate the state it is given', () => {
    const { state } = given(...readyToPay);
    const snapshot = structuredClone(state);
    decide(state, paymentSettled(), policy);
    decide(state, cancellationRequested(), policy);
    expect(state).toEqual(snapshot);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-style checks.
// ---------------------------------------------------------------------------------------------

/** Every complete path scripted above, start to terminal. */
const scripts: Record<string, OrderMessage[]> = {
  'happy path, user first': [orderRequested(), userVerified(), stockReserved(), paymentSettled(), stockCommitted()],
  'happy path, stock first': [orderRequested(), stockReserved(), userVerified(), paymentSettled(), stockCommitted()],
  'user rejected, stock pending': [orderRequested(), userRejected('inactive_user'), stockReserved(), stockReleased()],
  'user rejected after reservation': [orderRequested(), stockReserved(), userRejected(), stockReleased()],
  'user rejected, stock rejected': [orderRequested(), userRejected(), stockRejected()],
  'out of stock, user pending': [orderRequested(), stockRejected('OUT_OF_STOCK')],
  'unknown product, user verified': [orderRequested(), userVerified(), stockRejected('UNKNOWN_PRODUCT')],
  'card declined': [...readyToPay, paymentDeclined('card_declined'), stockReleased()],
  'insufficient funds': [...readyToPay, paymentDeclined('insufficient_funds'), stockReleased()],
  'cancel before any reply, stock reserved': [
    orderRequested(),
    cancellationRequested(),
    stockReserved(),
    stockReleased(),
  ],
  'cancel before any reply, stock rejected': [orderRequested(), cancellationRequested(), stockRejected()],
  'cancel while paying, settled': [
    ...readyToPay,
    cancellationRequested(),
    paymentSettled(),
    stockReleased(),
    paymentRefunded(),
  ],
  'cancel while paying, declined': [...readyToPay, cancellationRequested(), stockReleased(), paymentDeclined()],
  'cancel while committing': [...paid, cancellationRequested(), stockCommitted(), paymentRefunded(), stockReleased()],
};

const replyTo: Partial<Record<MessageType, Array<() => OrderMessage>>> = {
  VerifyUser: [userVerified, () => userRejected('unknown_user')],
  ReserveStock: [stockReserved, () => stockRejected('OUT_OF_STOCK')],
  SettlePayment: [paymentSettled, () => paymentDeclined('card_declined')],
  CommitStock: [stockCommitted],
  ReleaseStock: [stockReleased],
  RefundPayment: [paymentRefunded],
};

interface Path {
  messages: OrderMessage[];
  state: SagaState;
}

/**
 * Every interleaving of participants' answers to the commands the saga issued, with a customer
 * cancel optionally landing at any point and one duplicate of any earlier reply.
 */
function explore(): Path[] {
  const done: Path[] = [];
  const walk = (
    state: SagaState,
    messages: OrderMessage[],
    outstanding: MessageType[],
    cancelled: boolean,
    duplicated: boolean,
  ): void => {
    const nexts: Array<{ message: OrderMessage; rest: MessageType[] }> = [];
    outstanding.forEach((command, i) => {
      const rest = outstanding.filter((_, j) => j !== i);
      for (const reply of replyTo[command] ?? []) nexts.push({ message: reply(), rest });
    });
    if (!cancelled) nexts.push({ message: cancellationRequested(), rest: outstanding });
    if (!duplicated) {
      const replies = messages.filter((m) => m.type !== 'OrderRequested' && m.type !== 'OrderCancellationRequested');
      const last = replies[replies.length - 1];
      if (last) nexts.push({ message: last, rest: outstanding });
    }
    if (outstanding.length === 0) done.push({ messages, state });
    for (const { message: next, rest } of nexts) {
      const isCancel = next.type === 'OrderCancellationRequested';
      const isDuplicate = !isCancel && !outstanding.some((c) => (replyTo[c] ?? []).some((r) => r().type === next.type));
      const decision = decide(state, next, policy);
      const after = decision.state!;
      const violations = invariantViolations(after);
      if (violations.length > 0)
        throw new Error(`${violations.join('; ')} after ${[...messages, next].map((m) => m.type).join(' → ')}`);
      if (isDuplicate && decision.commands.length > 0) {
        throw new Error(`duplicate ${next.type} emitted ${decision.commands.map((c) => c.type).join(', ')}`);
      }
      if (isCancel && !cancelled && outstanding.length === 0) continue; // already counted as an end
      walk(
        after,
        [...messages, next],
        [...rest, ...decision.commands.map((c) => c.type).filter((t) => replyTo[t])],
        cancelled || isCancel,
        duplicated || isDuplicate,
      );
    }
  };
  const first = decide(undefined, orderRequested(), policy);
  walk(
    first.state!,
    [orderRequested()],
    first.commands.map((c) => c.type),
    false,
    false,
  );
  return done;
}

describe('order saga: properties', () => {
  it.each(Object.entries(scripts))('scripted path "%s" ends terminal and keeps the invariants', (_name, path) => {
    let state: SagaState | undefined;
    const emitted: Outgoing[] = [];
    for (const m of path) {
      const decision = decide(state, m, policy);
      expect(decision.outcome).toEqual({ kind: 'applied' });
      expectInvariants(decision.state);
      emitted.push(...decision.commands);
      state = decision.state;
    }
    expect(state && isTerminal(state)).toBe(true);
    const final = state!;
    // Never both confirmed and failed; a cancelled saga leaves nothing reserved, committed or settled.
    expect(final.status === 'CONFIRMED' && final.failure !== undefined).toBe(false);
    if (final.status === 'CANCELLED') {
      expect(['reserved', 'committed']).not.toContain(final.stock);
      expect(final.payment).not.toBe('settled');
    }
    // Exactly one terminal event, and it matches the status.
    const terminal = emitted.filter((c) => c.type === 'OrderConfirmed' || c.type === 'OrderCancelled');
    expect(terminal.map((c) => c.type)).toEqual([final.status === 'CONFIRMED' ? 'OrderConfirmed' : 'OrderCancelled']);
    // Compensation is never a refund of a payment that was declined.
    if (final.payment === 'declined') expect(emitted.map((c) => c.type)).not.toContain('RefundPayment');
  });

  it('every interleaving of replies (with a cancel anywhere and a duplicate) ends terminal with the invariants held', () => {
    const paths = explore();
    expect(paths.length).toBeGreaterThan(50);
    for (const { messages, state } of paths) {
      const where = messages.map((m) => m.type).join(' → ');
      expect(isTerminal(state), where).toBe(true);
      expect(invariantViolations(state), where).toEqual([]);
      expect(state.status === 'CONFIRMED' && state.failure !== undefined, where).toBe(false);
      if (state.status === 'CANCELLED') {
        expect(['reserved', 'committed'], where).not.toContain(state.stock);
        expect(state.payment, where).not.toBe('settled');
      }
    }
    // Both ends are reachable.
    expect(paths.some((p) => p.state.status === 'CONFIRMED')).toBe(true);
    expect(paths.some((p) => p.state.status === 'CANCELLED')).toBe(true);
  });
});
