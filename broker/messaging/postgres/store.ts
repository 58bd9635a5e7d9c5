import { asc, count, eq, inArray, isNull, lt, min, or, sql } from 'drizzle-orm';
import { type PostgresDb } from '../../../db/postgres';
import { param, rowParams } from '../../../db/statements';
import type { MessagingStore } from '../store';
import { inbox, outbox } from './tables';

/**
 * How long a relay holds the rows it claimed: if it dies holding them, another instance's relay
 * publishes them once this has passed. Far longer than a publish and its confirm take.
 */
const CLAIM_SECONDS = 30;

/** Holds every other transaction that takes the same key (`$1`) until this one ends. */
const LOCK = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

/** The inbox and outbox on one PostgreSQL connection, shared by every instance of the service. */
export function postgresMessagingStore(db: PostgresDb): MessagingStore {
  // One statement: the lock is the row source of the insert, so it is held before the inbox is looked at.
  const RECORD = `WITH held AS (${LOCK}) INSERT INTO inbox (message_id, type, handled_at) SELECT $2, $3, $4 FROM held
    ON CONFLICT DO NOTHING RETURNING message_id`;
  const forget = db
    .delete(inbox)
    .where(
      inArray(
        inbox.messageId,
        db
          .select({ id: inbox.messageId })
          .from(inbox)
          .where(lt(inbox.handledAt, param('cutoff')))
          .orderBy(asc(inbox.handledAt))
          .limit(param('limit')),
      ),
    )
    .returning({ messageId: inbox.messageId })
    .prepare('inbox_forget');
  // Rows commit out of seq order when writers run side by side, so no cursor: each claim takes
  // the oldest rows nobody holds, skipping those another relay is claiming this instant.
  const claim = db
    .update(outbox)
    .set({ claimedUntil: sql`clock_timestamp() + make_interval(secs => ${CLAIM_SECONDS})` })
    .where(
      inArray(
        outbox.seq,
        db
          .select({ seq: outbox.seq })
          .from(outbox)
          .where(or(isNull(outbox.claimedUntil), lt(outbox.claimedUntil, sql`clock_timestamp()`)))
          .orderBy(asc(outbox.seq))
          .limit(param('limit'))
          .for('update', { skipLocked: true }),
      ),
    )
    .returning({
      seq: outbox.seq,
      messageId: outbox.messageId,
      type: outbox.type,
      payload: outbox.payload,
      createdAt: outbox.createdAt,
    })
    .prepare('outbox_claim');
  const release = db
    .update(outbox)
    .set({ claimedUntil: null })
    .where(sql`${outbox.seq} = any(${param('seqs')})`)
    .prepare('outbox_release');
  const remove = db
    .delete(outbox)
    .where(sql`${outbox.seq} = any(${param('seqs')})`)
    .prepare('outbox_remove');
  const backlog = db
    .select({ pending: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .prepare('outbox_backlog');

  return {
    async lockConversation(correlationId) {
      await db.$client.query({ name: 'conversation_lock', text: LOCK, values: [correlationId] });
    },
    async recordFirstDelivery({ messageId, type, correlationId }, now) {
      const recorded = await db.$client.query({
        name: 'inbox_record',
        text: RECORD,
        values: [correlationId, messageId, type, now.toISOString()],
      });
      return recorded.rowCount === 1;
    },
    async forgetHandledBefore(cutoff, limit) {
      return (await forget.execute({ cutoff: cutoff.toISOString(), limit })).length;
    },
    async addToOutbox(rows) {
      // Every row in one statement, each column an array.
      await db.$client.query({
        name: 'outbox_insert',
        text: `INSERT INTO outbox (message_id, type, payload, created_at)
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
        values: [
          rows.map((row) => row.messageId),
          rows.map((row) => row.type),
          rows.map((row) => row.payload),
          rows.map((row) => row.createdAt),
        ],
      });
    },
    async claimOutbox(limit) {
      const rows = await claim.execute({ limit });
      return rows.sort((a, b) => a.seq - b.seq);
    },
    async releaseOutbox(seqs) {
      if (seqs.length > 0) await release.execute({ seqs: [...seqs] });
    },
    async removeFromOutbox(seqs) {
      if (seqs.length > 0) await remove.execute({ seqs: [...seqs] });
    },
    async outboxBacklog() {
      return (await backlog.execute())[0]!;
    },
  };
}
