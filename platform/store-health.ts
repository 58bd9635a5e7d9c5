import type { MessagingStore } from '../broker/messaging/store';
import type { Database } from '../db/database';

/** A service's own view of its dependencies, for GET /health. */
export interface ServiceHealth {
  database: 'ok' | 'down';
  outbox: {
    /** Down when a message has waited so long that the relay evidently cannot publish. */
    status: 'ok' | 'down';
    /** Messages committed but not yet published; null when the database cannot tell. */
    pending: number | null;
    oldestAgeSeconds: number | null;
  };
  /** Whether the service takes new work or sheds it (orders: POST /orders answers 503). */
  admission?: { status: 'accepting' | 'shedding'; pending: number; limit: number };
}

/** The relay publishes within milliseconds and retries every second: a row this old means it cannot. */
const STALE_OUTBOX_SECONDS = 30;

/** Asks a service's database one cheap question, which also shows that it answers at all. */
export async function storeHealth(database: Database<MessagingStore>, now = new Date()): Promise<ServiceHealth> {
  try {
    const { pending, oldest } = await database.read((store) => store.outboxBacklog());
    const oldestAgeSeconds = oldest ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : null;
    const stale = oldestAgeSeconds !== null && oldestAgeSeconds > STALE_OUTBOX_SECONDS;
    return { database: 'ok', outbox: { status: stale ? 'down' : 'ok', pending, oldestAgeSeconds } };
  } catch {
    return { database: 'down', outbox: { status: 'down', pending: null, oldestAgeSeconds: null } };
  }
}

/** How long a reading of a service's database serves GET /health. */
const READING_SERVES_MS = 100;

/**
 * `storeHealth`, read at most every `servesMs`: a probe, a dashboard and a load balancer asking
 * many times a second share one reading rather than each opening a read transaction on every
 * service's database, a good part of what GET /health cost (docs/performance.md).
 */
export function storeHealthReader(
  database: Database<MessagingStore>,
  servesMs = READING_SERVES_MS,
): () => Promise<ServiceHealth> {
  let last: { at: number; health: ServiceHealth } | undefined;
  return async () => {
    const now = Date.now();
    if (!last || now - last.at >= servesMs) last = { at: now, health: await storeHealth(database, new Date(now)) };
    return last.health;
  };
}
