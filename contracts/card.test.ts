import { describe, expect, it } from 'vitest';
import { lastFour, passesLuhn } from './card';

describe('card numbers', () => {
  it('passes the Luhn checksum of real test cards, of either length parity', () => {
    for (const number of ['4242424242424242', '4000000000000002', '4000000000009995', '378282246310005'])
      expect(passesLuhn(number), number).toBe(true);
  });

  it('fails a number with one digit mistyped, or two swapped', () => {
    for (const number of ['4242424242424241', '4242424242424224', '378282246310006', '81', '1'])
      expect(passesLuhn(number), number).toBe(false);
  });

  it('keeps the last four digits', () => {
    expect(lastFour('4000000000009995')).toBe('9995');
  });
});
