import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UserRow } from './sqlite/schema';
import { verifyUser } from './verify-user';

const orderId = randomUUID();
const userId = randomUUID();
const account = (active: boolean): UserRow => ({
  id: userId,
  name: 'Ada',
  email: 'ada@example.com',
  role: 'customer',
  active,
  statusVersion: active ? 0 : 1,
  passwordHash: 'not-a-real-hash',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('VerifyUser', () => {
  it('verifies a known, active account', () => {
    expect(verifyUser({ orderId, userId }, account(true))).toEqual([
      { type: 'UserVerified', data: { orderId, userId } },
    ]);
  });

  it('rejects an account it does not know as unknown_user', () => {
    expect(verifyUser({ orderId, userId }, undefined)).toEqual([
      { type: 'UserRejected', data: { orderId, userId, reason: 'unknown_user' } },
    ]);
  });

  it('rejects a deactivated account as inactive_user', () => {
    expect(verifyUser({ orderId, userId }, account(false))).toEqual([
      { type: 'UserRejected', data: { orderId, userId, reason: 'inactive_user' } },
    ]);
  });
});
