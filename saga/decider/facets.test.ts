import { describe, expect, it } from 'vitest';
import { facetsOf, productsOf } from './facets';
import {
  fold,
  items,
  paid,
  paymentDeclined,
  productA,
  productB,
  readyToPay,
  started,
  stockCommitted,
  stockRejected,
  totalCents,
  userId,
} from './order-saga.fixtures';
import type { SagaInput, SagaState } from './state';

const facets = (...history: SagaInput[]) => facetsOf(fold(history)!);

describe('what a saga is about, read off its state', () => {
  it('just started: its customer, no total yet, awaiting the user and the stock', () => {
    expect(facets(...started)).toEqual({
      customerId: userId,
      totalCents: null,
      reason: null,
      awaiting: ['verifyUser', 'reserveStock'],
      ended: false,
    });
  });

  it('once the stock is reserved: the total of the priced lines, awaiting the payment', () => {
    expect(facets(...readyToPay)).toMatchObject({ totalCents, awaiting: ['settlePayment'], ended: false });
  });

  it('confirmed: ended, awaiting nothing, the total kept', () => {
    expect(facets(...paid, stockCommitted())).toEqual({
      customerId: userId,
      totalCents,
      reason: null,
      awaiting: [],
      ended: true,
    });
  });

  it('failed: the reason from the moment it compensates, the total kept once priced', () => {
    expect(facets(...readyToPay, paymentDeclined())).toMatchObject({
      reason: 'PAYMENT_DECLINED',
      totalCents,
      awaiting: ['releaseStock'],
      ended: false,
    });
    expect(facets(...started, stockRejected('OUT_OF_STOCK'))).toMatchObject({
      reason: 'OUT_OF_STOCK',
      totalCents: null,
    });
  });

  it('sums quantity × unit price of whichever answer priced the lines, not a total it carries', () => {
    const state: SagaState = {
      ...fold(started)!,
      results: {
        verifyUser: { orderId: 'o1' },
        priceIt: {
          lines: [
            { quantity: 3, unitPriceCents: 100 },
            { quantity: 1, unitPriceCents: 5 },
          ],
          totalCents: 1,
        },
      },
    };
    expect(facetsOf(state).totalCents).toBe(305);
  });

  it('takes no answer for a pricing that does not price every line, nor one without data', () => {
    const priced = { lines: [{ quantity: 2, unitPriceCents: 50 }] };
    const withResults = (results: Record<string, unknown>) => facetsOf({ ...fold(started)!, results }).totalCents;
    // The first answer that prices its lines counts: none of those before it does.
    expect(withResults({ verifyUser: null, priceIt: priced })).toBe(100);
    expect(withResults({ coupon: { lines: 'none' }, priceIt: priced })).toBe(100);
    expect(withResults({ coupon: { lines: [{ quantity: 1 }] }, priceIt: priced })).toBe(100);
    expect(withResults({ coupon: { lines: [{ unitPriceCents: 9 }] }, priceIt: priced })).toBe(100);
    expect(
      withResults({ coupon: { lines: [{ quantity: 1, unitPriceCents: 9 }, { code: 'X' }] }, priceIt: priced }),
    ).toBe(100);
    expect(withResults({ verifyUser: null })).toBeNull();
  });

  it('gives each product of the order once', () => {
    const state = fold(started)!;
    expect(productsOf(state)).toEqual([productA, productB]);
    expect(productsOf({ ...state, items: [...items, { productId: productA, quantity: 9 }] })).toEqual([
      productA,
      productB,
    ]);
  });
});
