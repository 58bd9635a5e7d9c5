import { describe, expect, it } from 'vitest';
import { admit } from './throttle';

const policy = { limit: 3, windowSeconds: 60 };
const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, seconds));

describe('login throttle', () => {
  it('opens a window with the first attempt and counts within it', () => {
    const first = admit('k', undefined, at(0), policy);
    expect(first).toEqual({ admitted: true, row: { key: 'k', count: 1, windowEndsAt: at(60).toISOString() } });
    const second = admit('k', first.admitted ? first.row : undefined, at(10), policy);
    expect(second).toMatchObject({ admitted: true, row: { count: 2, windowEndsAt: at(60).toISOString() } });
  });

  it('refuses at the limit until the window ends, telling how long to wait', () => {
    const full = { key: 'k', count: 3, windowEndsAt: at(60).toISOString() };
    expect(admit('k', full, at(15), policy)).toEqual({ admitted: false, retryAfterSeconds: 45 });
    expect(admit('k', full, at(59.5), policy)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(admit('k', full, at(60), policy)).toMatchObject({ admitted: true, row: { count: 1 } });
  });
});
