import { asc, count, eq, gt, inArray, lt, min } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { changes } from '../../../db/sqlite';
import { param, rowParams } from '../../../db/statements';
import type { MessagingStore } from '../store';
import { inbox, outbox } from './tables';

/** The inbox and outbox on a service's SQLite connection. */
export function sqliteMessagingStore(db: BaseSQLiteDatabase<'sync', unknown, Record<string, unknown>>): MessagingStore {
  const record = db.insert(inbox).values(rowParams(inbox)).onConflictDoNothing().prepare();
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
    .prepare();
  const insert = db.insert(outbox).values(rowParams(outbox, 'seq')).prepare();
  // Rows commit in seq order (one writer at a time), so none can appear behind the cursor.
  const after = db
    .select()
    .from(outbox)
    .where(gt(outbox.seq, param('cursor')))
    .orderBy(asc(outbox.seq))
    .limit(param('limit'))
    .prepare();
  const remove = db
    .delete(outbox)
    .where(eq(outbox.seq, param('seq')))
    .prepare();
  const backlog = db
    .select({ pending: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .prepare();

  /** The last row handed out. In memory: after a restart every row left goes again. */
  let cursor = 0;

  return {
    async lockConversation() {},
    async recordFirstDelivery({ messageId, type }, now) {
      return changes(record.run({ messageId, type, handledAt: now.toISOString() })) === 1;
    },
    async forgetHandledBefore(cutoff, limit) {
      return changes(forget.run({ cutoff: cutoff.toISOString(), limit }));
    },
    async addToOutbox(rows) {
      for (const row of rows) insert.run(row);
    },
    async claimOutbox(limit) {
      const rows = after.all({ cursor, limit });
      if (rows.length > 0) cursor = rows.at(-1)!.seq;
      return rows;
    },
    async releaseOutbox(seqs) {
      // Those after it are handed out again too: the confirmed are gone by then, the others go twice.
      if (seqs.length > 0) cursor = Math.min(cursor, Math.min(...seqs) - 1);
    },
    async removeFromOutbox(seqs) {
      for (const seq of seqs) remove.run({ seq });
    },
    async outboxBacklog() {
      return backlog.get()!;
    },
  };
}
