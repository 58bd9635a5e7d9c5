import { afterAll, beforeAll } from 'vitest';
import { openPostgres } from '../../db/postgres';
import { scratchPostgres, type ScratchPostgres } from '../../db/scratch/postgres';
import { placeOrderContract } from './place-order.contract';
import { ordersPostgres } from './postgres/store';

let scratch: ScratchPostgres;
beforeAll(async () => {
  scratch = await scratchPostgres();
});
afterAll(async () => {
  await scratch?.drop();
});

let schemas = 0;
placeOrderContract('PostgreSQL', async () => {
  const database = await openPostgres({ url: scratch.url, schema: `place_order_${++schemas}` }, ordersPostgres, 2);
  return { database, cleanup: () => database.close() };
});
