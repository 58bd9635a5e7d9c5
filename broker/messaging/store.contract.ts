import { describe, expect, it } from 'vitest';
import { at, freshDatabaseEachTest, iso, type DatabaseFactory } from '../../db/conformance/open-database';
import type { MessagingStore, OutboxRow } from './store';

const outboxRow = (messageId: string, createdAt = iso(0)): Omit<OutboxRow, 'seq'> => ({
  messageId,
  type: 'PaymentRefunded',
  payload: JSON.stringify({ messageId, data: { n: messageId } }),
  createdAt,
});

/**
 * What every service's store does with its inbox and outbox, and what its Database does with
 * transactions and plain SQL, on either database. Every service's store carries the inbox and
 * outbox, so each store's test file runs this for each of them (each migration makes the tables).
 */
export function messagingStoreContract(name: string, makeDatabase: DatabaseFactory<MessagingStore>): void {
  describe(`${name}: the messaging store contract`, () => {
    const db = freshDatabaseEachTest(makeDatabase);
    const tx = <R>(work: (store: MessagingStore) => Promise<R>) => db().transaction(work);
    const read = <R>(work: (store: MessagingStore) => Promise<R>) => db().read(work);
    const claim = (limit: number) => read((store) => store.claimOutbox(limit));
    const seqsOf = (rows: OutboxRow[]) => rows.map((row) => row.seq);
    const idsOf = (rows: OutboxRow[]) => rows.map((row) => row.messageId);
    /** Whether `messageId` is still remembered as handled (recording it, when it was not). */
    const stillHandled = (messageId: string) =>
      tx(
        async (store) =>
          !(await store.recordFirstDelivery({ messageId, type: 'Probe', correlationId: 'c1' }, at(1000))),
      );
    const handledIds = async () =>
      (await db().snapshot((query) => query('SELECT message_id FROM inbox ORDER BY message_id'))).map(
        (row) => row.message_id,
      );

    describe('Database', () => {
      it('resolves a transaction, once committed, to what its work returned', async () => {
        expect(
          await tx(
            async (store) => (
              await store.recordFirstDelivery({ messageId: 'm1', type: 'T', correlationId: 'c1' }, at(0)),
              42
            ),
          ),
        ).toBe(42);
        expect(await stillHandled('m1')).toBe(true);
      });

      it('rolls back every write of a work that throws, and rejects with what it threw', async () => {
        const failure = new Error('the work failed');
        await expect(
          tx(async (store) => {
            await store.recordFirstDelivery({ messageId: 'm1', type: 'T', correlationId: 'c1' }, at(0));
            await store.addToOutbox([outboxRow('out-1')]);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await stillHandled('m1')).toBe(false);
        expect(await claim(10)).toEqual([]);
        expect(await read((store) => store.outboxBacklog())).toEqual({ pending: 0, oldest: null });
      });

      it('reads what was committed outside any transaction', async () => {
        await tx((store) => store.addToOutbox([outboxRow('out-1')]));
        expect(await read((store) => store.outboxBacklog())).toEqual({ pending: 1, oldest: iso(0) });
      });

      it('reads plain SQL in a snapshot, rows keyed by column', async () => {
        await tx(async (store) => {
          await store.recordFirstDelivery({ messageId: 'm2', type: 'UserVerified', correlationId: 'c1' }, at(2));
          await store.recordFirstDelivery({ messageId: 'm1', type: 'StockReserved', correlationId: 'c1' }, at(1));
          await store.addToOutbox([outboxRow('out-1', iso(3))]);
        });
        const [handled, waiting] = await db().snapshot(async (query) => [
          await query('SELECT message_id, type, handled_at FROM inbox ORDER BY message_id'),
          await query('SELECT message_id, created_at FROM outbox'),
        ]);
        expect(handled).toEqual([
          { message_id: 'm1', type: 'StockReserved', handled_at: iso(1) },
          { message_id: 'm2', type: 'UserVerified', handled_at: iso(2) },
        ]);
        // Text columns only: an aggregate's type differs (count(*) is a number on SQLite, a
        // bigint that pg hands back as a string on PostgreSQL), so callers convert it themselves.
        expect(waiting).toEqual([{ message_id: 'out-1', created_at: iso(3) }]);
      });

      it('answers a ping', async () => {
        await expect(db().ping()).resolves.toBeUndefined();
      });
    });

    describe('inbox', () => {
      it('records a message as handled once: true the first time, false for every repeat', async () => {
        expect(
          await tx((store) =>
            store.recordFirstDelivery({ messageId: 'm1', type: 'UserVerified', correlationId: 'c1' }, at(0)),
          ),
        ).toBe(true);
        expect(
          await tx((store) =>
            store.recordFirstDelivery({ messageId: 'm1', type: 'UserVerified', correlationId: 'c1' }, at(5)),
          ),
        ).toBe(false);
        // The id alone decides, whatever the type says.
        expect(
          await tx((store) =>
            store.recordFirstDelivery({ messageId: 'm1', type: 'Other', correlationId: 'c1' }, at(6)),
          ),
        ).toBe(false);
        expect(
          await tx((store) =>
            store.recordFirstDelivery({ messageId: 'm2', type: 'UserVerified', correlationId: 'c1' }, at(7)),
          ),
        ).toBe(true);
        // The repeats kept the first time it was handled.
        const rows = await db().snapshot((query) => query('SELECT handled_at FROM inbox ORDER BY message_id'));
        expect(rows).toEqual([{ handled_at: iso(0) }, { handled_at: iso(7) }]);
      });

      it('sees a message recorded earlier in the same transaction', async () => {
        const answers = await tx(async (store) => [
          await store.recordFirstDelivery({ messageId: 'm1', type: 'T', correlationId: 'c1' }, at(0)),
          await store.recordFirstDelivery({ messageId: 'm1', type: 'T', correlationId: 'c1' }, at(0)),
        ]);
        expect(answers).toEqual([true, false]);
      });

      it('forgets the ids handled strictly before the cutoff, and says how many', async () => {
        await tx(async (store) => {
          for (const [id, second] of [
            ['d', 1],
            ['c', 2],
            ['b', 3],
            ['a', 4],
          ] as const)
            await store.recordFirstDelivery({ messageId: id, type: 'T', correlationId: 'c1' }, at(second));
        });
        // Handled at 3 is not before 3.
        expect(await tx((store) => store.forgetHandledBefore(at(3), 100))).toBe(2);
        expect(await handledIds()).toEqual(['a', 'b']);
        expect(await tx((store) => store.forgetHandledBefore(at(3), 100))).toBe(0);
        // A forgotten id is handled again; a remembered one still is not.
        expect(await stillHandled('d')).toBe(false);
        expect(await stillHandled('b')).toBe(true);
      });

      it('forgets at most `limit` ids, the oldest first', async () => {
        // Neither the id's order nor the order recorded is the order handled.
        await tx(async (store) => {
          for (const [id, second] of [
            ['a', 30],
            ['z', 10],
            ['m', 40],
            ['b', 20],
          ] as const)
            await store.recordFirstDelivery({ messageId: id, type: 'T', correlationId: 'c1' }, at(second));
        });
        expect(await tx((store) => store.forgetHandledBefore(at(100), 2))).toBe(2);
        expect(await handledIds()).toEqual(['a', 'm']);
        expect(await tx((store) => store.forgetHandledBefore(at(100), 5))).toBe(2);
        expect(await tx((store) => store.forgetHandledBefore(at(100), 5))).toBe(0);
      });
    });

    // Where the stores differ, left to each store's own tests: what a relay held when its
    // process died. SQLite's one relay keeps its cursor in memory, so after a restart every row
    // left goes again; PostgreSQL's rows stay claimed until their lease lapses, then any
    // instance's relay takes them (postgres-stores.postgres.test.ts).
    describe('outbox', () => {
      /** Adds rows in one transaction each, as separate state changes do; the rows as claimed. */
      async function addEach(...ids: string[]) {
        for (const id of ids) await tx((store) => store.addToOutbox([outboxRow(id)]));
      }

      it('hands out the rows oldest first, at most `limit` at a time, each once', async () => {
        await tx((store) =>
          store.addToOutbox([outboxRow('r1', iso(1)), outboxRow('r2', iso(2)), outboxRow('r3', iso(3))]),
        );
        await addEach('r4', 'r5');
        const first = await claim(2);
        expect(first).toEqual([
          { seq: expect.any(Number), ...outboxRow('r1', iso(1)) },
          { seq: expect.any(Number), ...outboxRow('r2', iso(2)) },
        ]);
        const second = await claim(2);
        expect(idsOf(second)).toEqual(['r3', 'r4']);
        expect(idsOf(await claim(10))).toEqual(['r5']);
        expect(await claim(10)).toEqual([]);
        const seqs = seqsOf([...first, ...second]);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(4);
      });

      it('hands out rows added after a claim to the next claim', async () => {
        await addEach('r1');
        expect(idsOf(await claim(10))).toEqual(['r1']);
        expect(await claim(10)).toEqual([]);
        await addEach('r2', 'r3');
        expect(idsOf(await claim(10))).toEqual(['r2', 'r3']);
      });

      it('hands out again a released row, and never a removed one: a relay publishing a batch', async () => {
        await addEach('r1', 'r2', 'r3', 'r4');
        const [r1, r2, r3, r4] = await claim(10);
        // r1 and r3 confirmed, r2 failed, r4 still on its way.
        await tx((store) => store.removeFromOutbox([r1!.seq, r3!.seq]));
        await read((store) => store.releaseOutbox([r2!.seq]));
        const again = await claim(10);
        expect(again[0]).toEqual(r2);
        expect(idsOf(again)).not.toContain('r1');
        expect(idsOf(again)).not.toContain('r3');
        // Where the stores differ: SQLite's one relay keeps a cursor, which a release moves back,
        // so r4 (claimed, neither removed nor released) goes again too, a duplicate the inboxes
        // absorb; PostgreSQL's relays share the outbox, and r4 stays claimed until its lease lapses.
        expect(again.slice(1)).toEqual(again.length === 1 ? [] : [r4]);
        expect(await claim(10)).toEqual([]);
      });

      it('hands out exactly the released rows when every other claimed row was removed', async () => {
        await addEach('r1', 'r2', 'r3');
        const [r1, r2, r3] = await claim(10);
        await tx((store) => store.removeFromOutbox([r1!.seq, r3!.seq]));
        await read((store) => store.releaseOutbox([r2!.seq]));
        expect(await claim(10)).toEqual([r2]);
        await read((store) => store.releaseOutbox([]));
        expect(await claim(10)).toEqual([]);
        await tx((store) => store.removeFromOutbox([r2!.seq]));
        await read((store) => store.releaseOutbox([r2!.seq]));
        expect(await claim(10)).toEqual([]);
      });

      it('hands out released rows oldest first, whatever order they were released in', async () => {
        await addEach('r1', 'r2', 'r3');
        const [r1, r2, r3] = await claim(10);
        await tx((store) => store.removeFromOutbox([r3!.seq]));
        await read((store) => store.releaseOutbox([r2!.seq]));
        await read((store) => store.releaseOutbox([r1!.seq]));
        expect(await claim(10)).toEqual([r1, r2]);
      });

      it('removes only the rows named', async () => {
        await addEach('r1', 'r2', 'r3');
        const [, r2] = await claim(10);
        await tx((store) => store.removeFromOutbox([r2!.seq]));
        await tx((store) => store.removeFromOutbox([]));
        const left = await db().snapshot((query) => query('SELECT message_id FROM outbox ORDER BY message_id'));
        expect(left).toEqual([{ message_id: 'r1' }, { message_id: 'r3' }]);
      });

      it('counts the rows waiting, claimed or not, and says since when the oldest', async () => {
        expect(await read((store) => store.outboxBacklog())).toEqual({ pending: 0, oldest: null });
        // The oldest by time is not the first added.
        await tx((store) => store.addToOutbox([outboxRow('r1', iso(20)), outboxRow('r2', iso(10))]));
        await tx((store) => store.addToOutbox([outboxRow('r3', iso(30))]));
        expect(await read((store) => store.outboxBacklog())).toEqual({ pending: 3, oldest: iso(10) });
        const [r1, r2] = await claim(2);
        expect(await read((store) => store.outboxBacklog())).toEqual({ pending: 3, oldest: iso(10) });
        await tx((store) => store.removeFromOutbox([r1!.seq, r2!.seq]));
        expect(await read((store) => store.outboxBacklog())).toEqual({ pending: 1, oldest: iso(30) });
      });
    });

    it('takes a conversation lock inside a transaction, again and for another conversation', async () => {
      // Only that it can be taken: what it holds back shows with two writers side by side, on
      // PostgreSQL (SQLite's one writer holds everything already, and the lock does nothing).
      expect(
        await tx(async (store) => {
          await store.lockConversation('order-1');
          await store.lockConversation('order-1');
          await store.lockConversation('order-2');
          return store.recordFirstDelivery({ messageId: 'm1', type: 'T', correlationId: 'c1' }, at(0));
        }),
      ).toBe(true);
      expect(
        await tx(async (store) => {
          await store.lockConversation('order-1');
          return store.recordFirstDelivery({ messageId: 'm2', type: 'T', correlationId: 'c1' }, at(0));
        }),
      ).toBe(true);
    });
  });
}
