import { describe, expect, it } from 'vitest';
import { LoginBody, UpdateProductBody, UpdateUserBody } from './rest-requests';

describe('request bodies', () => {
  it('takes an email in any case as the same address', () => {
    expect(LoginBody.parse({ email: 'Ann@Example.COM', password: 'x' }).email).toBe('ann@example.com');
  });

  it('refuses an update that changes nothing', () => {
    for (const body of [UpdateUserBody, UpdateProductBody]) {
      expect(body.safeParse({}).error?.issues).toEqual([
        expect.objectContaining({ message: 'at least one field must be given' }),
      ]);
    }
    expect(UpdateUserBody.parse({ active: false })).toEqual({ active: false });
    expect(UpdateProductBody.parse({ priceCents: 1_400 })).toEqual({ priceCents: 1_400 });
  });
});
