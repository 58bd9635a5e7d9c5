import type { SqliteDb } from '../../db/sqlite';
import type { ServiceHealth } from '../../platform/store-health';
import { countPending } from './store';

/**
 * Whether orders takes new ones: it sheds them once `limit` are pending, since a new order
 * behind that many would wait past its deadlines. POST /orders and /health both ask here.
 */
export function admissionOf(db: SqliteDb, limit: number): NonNullable<ServiceHealth['admission']> {
  const pending = countPending(db);
  return { status: pending >= limit ? 'shedding' : 'accepting', pending, limit };
}
