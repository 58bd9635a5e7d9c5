import { describe, expect, it } from 'vitest';
import type { HttpError } from '../../http/errors';
import { scratchDatabase } from '../../db/scratch/sqlite';
import { body, kept, placeOrderContract, placing, request } from './place-order.contract';
import { placeOrder } from './place-order';
import { ordersSqlite } from './sqlite/store';

placeOrderContract('SQLite', async () => {
  const scratch = scratchDatabase(ordersSqlite);
  return { database: scratch, cleanup: () => scratch.remove() };
});

describe('orders placed at once on SQLite, in one group commit', () => {
  it('throws each refusal to its caller and undoes only its own order', async () => {
    const database = scratchDatabase(ordersSqlite);
    try {
      const { deps } = placing(database, 3);
      const results = await Promise.allSettled([
        placeOrder(deps, request({ key: 'same' })),
        // Sees the first's key in the shared transaction: another body under it is refused.
        placeOrder(deps, request({ body: body(2), key: 'same' })),
        placeOrder(deps, request()),
        placeOrder(deps, request()),
        // The limit of 3 is reached by now: the rest are shed.
        placeOrder(deps, request()),
        placeOrder(deps, request({ key: 'shed' })),
      ]);
      const statuses = results.map((result) =>
        result.status === 'fulfilled' ? 202 : (result.reason as HttpError).status,
      );
      expect(statuses).toEqual([202, 409, 202, 202, 503, 503]);
      const accepted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.id] : []));
      expect(await kept(database)).toEqual({ orders: accepted.sort(), outbox: 3 });
    } finally {
      await database.remove();
    }
  });
});
