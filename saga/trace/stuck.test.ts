import { describe, expect, it } from 'vitest';
import { parseDuration, whyStuck } from './stuck';

const now = new Date('2025-01-01T10:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const ahead = (ms: number) => new Date(now.getTime() + ms).toISOString();

describe('whyStuck', () => {
  it('a saga moving inside its deadlines is not stuck', () => {
    const saga = { status: 'RUNNING', updatedAt: ago(2_000), state: { deadlines: { settlePayment: ahead(8_000) } } };
    expect(whyStuck(saga, now, 30_000)).toBeUndefined();
  });

  it('a step past its deadline: the timer should have acted', () => {
    const saga = {
      status: 'RUNNING',
      updatedAt: ago(1_000),
      state: { deadlines: { verifyUser: ago(2_500), reserveStock: ahead(1_000) } },
    };
    expect(whyStuck(saga, now, 30_000)).toBe('past the deadline of verifyUser by 2.5 s');
  });

  it('nothing heard for longer than the threshold, with the steps it waits on', () => {
    const saga = {
      status: 'COMPENSATING',
      updatedAt: ago(45_000),
      state: { deadlines: { releaseStock: ahead(60_000), refundPayment: ahead(60_000) } },
    };
    expect(whyStuck(saga, now, 30_000)).toBe('nothing heard for 45.0 s, waiting on releaseStock, refundPayment');
    expect(whyStuck(saga, now, 60_000)).toBeUndefined();
  });

  it('a saga that ended is never stuck', () => {
    expect(whyStuck({ status: 'CONFIRMED', updatedAt: ago(3_600_000), state: { deadlines: {} } }, now, 1)).toBe(
      undefined,
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['5', 'm5', '5 minutes', ''])('not %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
