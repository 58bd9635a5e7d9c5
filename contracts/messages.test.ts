import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeProblems, OrderLines } from './messages';

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
