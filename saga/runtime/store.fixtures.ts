import { iso } from '../../db/conformance/open-database';
import type { Database } from '../../db/database';
import type { SagaState } from '../decider/decide';
import type { SagaRow, SagaStore } from './store';

/** What the saga store's conformance suites (`store.contract.ts`, `search.contract.ts`) share. */

/** A running saga of `orderId`, as the orchestrator saves it, with `changes` over it. */
export const state = (orderId: string, changes: Partial<SagaState> = {}): SagaState => ({
  orderId,
  userId: 'u1',
  items: [{ productId: 'p1', quantity: 2 }],
  card: { sealed: 'sealed-card-blob', last4: '4242' },
  definition: 1,
  status: 'RUNNING',
  steps: { verifyUser: 'pending', reserveStock: 'pending', settlePayment: 'waiting' },
  results: {},
  deadlines: { verifyUser: iso(10), reserveStock: iso(10) },
  ...changes,
});

export const ids = (rows: readonly SagaRow[]) => rows.map((row) => row.orderId);

/** Work on the store of the test's database, each call a transaction of its own, and a saga as it is. */
export function sagaStoreOf(db: () => Database<SagaStore>) {
  const tx = <R>(work: (store: SagaStore) => Promise<R>) => db().transaction(work);
  const find = (orderId: string) => tx((store) => store.findSaga(orderId));
  return { tx, find };
}
