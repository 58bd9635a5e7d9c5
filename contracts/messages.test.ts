import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelope } from './envelope';
import { describeProblems, Message, OrderLines } from './messages';

const mug = randomUUID();
const teapot = randomUUID();

describe('the lines of an order', () => {
  it('takes each product on one line', () => {
    const lines = [
      { productId: mug, quantity: 2 },
      { productId: teapot, quantity: 1 },
    ];
    expect(OrderLines.parse(lines)).toEqual(lines);
  });

  it('refuses a product repeated on a later line, naming it and the line it is already on', () => {
    const result = OrderLines.safeParse([
      { productId: mug, quantity: 2 },
      { productId: teapot, quantity: 1 },
      { productId: mug, quantity: 3 },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        code: 'custom',
        path: [2, 'productId'],
        message: `product ${mug} is already on line 0: put its whole quantity on one line`,
      }),
    ]);
  });
});

describe('describeProblems', () => {
  it('puts every problem on one line', () => {
    const result = OrderLines.safeParse([{ productId: 'not-an-id', quantity: 0 }]);
    const described = describeProblems(result.error!);
    expect(described).not.toContain('\n');
    expect(described).toMatch(/productId.*; .*quantity/);
  });
});

describe("the envelope's trace context", () => {
  const message = envelope(
    { type: 'VerifyUser', data: { orderId: mug, userId: teapot } },
    { producer: 'orchestrator', correlationId: mug, causationId: null },
  );
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('takes a traceparent with a W3C tracestate, or without one, or neither (an older message), and keeps them', () => {
    for (const context of [{}, { traceparent }, { traceparent, tracestate: 'congo=t61rcWkgMzE,tenant@rojo=00f0 67aa' }])
      expect(Message.parse({ ...message, ...context })).toEqual({ ...message, ...context });
  });

  it.each(['congo', 'congo=a,b=', 'Congo=a', 'congo=a=b', 'congo=a ', 'congo=é', `congo=${'a'.repeat(510)}`])(
    'refuses the tracestate %s',
    (tracestate) => {
      expect(Message.safeParse({ ...message, traceparent, tracestate }).success).toBe(false);
    },
  );
});
