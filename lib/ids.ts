import { v5, v7 } from 'uuid';
import { pooledRandomBytes } from './random-pool';

/**
 * A new id for a row or a message: a UUIDv7, whose first 48 bits are the millisecond it was
 * made. Rows written together then sit together in every index on their ids (each service's
 * inbox, the saga's tables, the orders and payments), so a commit dirties a few pages rather
 * than one random page per row. The random part comes from a pool, as uuid's own draws from the
 * OS on every call and costs several times more (docs/performance.md has both measures).
 */
export const newId = (): string => v7({ random: pooledRandomBytes(16) });

/** Names ids derived from a client's key, so they never collide with another namespace's. */
const KEYED = '9b3c2f0e-6d0a-4f55-9a57-3f1c2b8e7d10';

/**
 * The same id for the same parts, every time (a UUIDv5): what lets a request repeated with its
 * idempotency key be recognised as the one already handled.
 */
export const keyedId = (...parts: string[]): string => v5(JSON.stringify(parts), KEYED);
