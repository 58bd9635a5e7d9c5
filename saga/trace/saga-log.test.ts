import { describe, expect, it } from 'vitest';
import { envelope, type OrderMessage } from '../../contracts';
import { orderSaga } from '../../contracts/steps';
import { decide, type SagaInput } from '../decider/decide';
import {
  cancellationRequested,
  fold,
  orderId,
  paid,
  policy,
  stockCommitted,
  userVerified,
} from '../decider/order-saga.fixtures';
import { sagaLogLines, sentLines } from './saga-log';

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const traceId = '0af7651916cd43dd8448eb211c80319c';

/** What the log says of `input` taken after `history`, each line in short. */
function logOf(history: SagaInput[], input: OrderMessage) {
  const before = fold(history);
  const decision = decide(before, input, policy);
  const sent = decision.commands.map((command) =>
    envelope(command, { producer: 'orchestrator', correlationId: orderId, causationId: input.messageId, traceparent }),
  );
  return sagaLogLines(input, before, decision, sent, orderSaga, traceparent);
}

describe('sagaLogLines', () => {
  it('tells the last answer, then the end with no reason, then what the saga sent, all under the trace', () => {
    const lines = logOf(paid, stockCommitted());
    expect(lines.map(({ step, outcome, type }) => `${step} ${outcome} ${type ?? '-'}`)).toEqual([
      'commitStock stock committed StockCommitted',
      'saga CONFIRMED -',
      'saga sent OrderConfirmed',
    ]);
    expect(lines[1]).not.toHaveProperty('reason');
    expect(lines[2]).not.toHaveProperty('kind');
    for (const line of lines) expect(line).toMatchObject({ orderId, traceId });
  });

  it('says why an input was ignored, and that a cancel before its saga is kept until it starts', () => {
    expect(logOf([], userVerified())).toEqual([
      expect.objectContaining({ step: 'verifyUser', outcome: 'ignored', why: 'no saga for this order' }),
    ]);
    expect(logOf([], cancellationRequested())).toEqual([
      expect.objectContaining({ step: 'saga', outcome: 'early', why: 'the saga has not started yet' }),
    ]);
  });
});

describe('sentLines', () => {
  it('names each command’s step and kind, and what was done with it', () => {
    const resent = envelope(
      { type: 'RefundPayment', data: { orderId } },
      { producer: 'orchestrator', correlationId: orderId, causationId: null },
    );
    expect(sentLines([resent], orderSaga, traceparent, 'resent after a restart')).toEqual([
      expect.objectContaining({
        orderId,
        step: 'refundPayment',
        kind: 'compensation',
        outcome: 'resent after a restart',
        type: 'RefundPayment',
        traceId,
      }),
    ]);
  });
});
