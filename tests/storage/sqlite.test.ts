import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { productsSqlite } from '../../services/products/sqlite/store';
import { scratchDatabase, type ScratchDatabase } from '../../db/scratch/sqlite';

// Any service's store will do: products'.
describe('openSqlite', () => {
  let opened: ScratchDatabase<typeof productsSqlite> | undefined;
  afterEach(() => opened?.remove());

  const open = () => (opened = scratchDatabase(productsSqlite));
  const createdAt = '2026-12-01T00:00:00.000Z';
  const row = () => ({ messageId: randomUUID(), type: 'StockReserved', payload: '{}', createdAt });

  it('commits what a transaction’s work wrote, and resolves to what it returned', async () => {
    const database = open();
    const result = await database.transaction(async (store) => {
      await store.addToOutbox([row()]);
      return 'what it returned';
    });
    expect(result).toBe('what it returned');
    expect(database.client.inTransaction).toBe(false);
    expect(await database.read((store) => store.outboxBacklog())).toEqual({ pending: 1, oldest: createdAt });
  });

  it('rolls back what a failing work wrote, and rejects with what it threw', async () => {
    const database = open();
    const work = database.transaction(async (store) => {
      await store.addToOutbox([row()]);
      throw new Error('refused');
    });
    await expect(work).rejects.toThrow('refused');
    expect(database.client.inTransaction).toBe(false);
    expect(await database.read((store) => store.outboxBacklog())).toEqual({ pending: 0, oldest: null });
  });

  it('refuses a read while a transaction is open, as when its work awaits something besides its store', async () => {
    const database = open();
    let markOpen!: () => void;
    const isOpen = new Promise<void>((resolve) => (markOpen = resolve));
    const work = database.transaction(async (store) => {
      await store.addToOutbox([row()]);
      markOpen();
      await sleep(20);
      return 'done';
    });
    await isOpen;
    expect(database.client.inTransaction).toBe(true);
    // The read would see the transaction half done.
    await expect(database.read((store) => store.outboxBacklog())).rejects.toThrow(
      'a transaction awaited something besides its store',
    );
    await expect(work).resolves.toBe('done');
    expect(await database.read((store) => store.outboxBacklog())).toEqual({ pending: 1, oldest: createdAt });
  });
});
