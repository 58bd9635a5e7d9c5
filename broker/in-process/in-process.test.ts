import { mkdtemp, rm } from 'node:fs/promises';
import { setTimeout } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/wait';
import type { Delivery } from '../broker';
import { brokerContract } from '../conformance/broker.contract';
import { InProcessBroker } from './in-process';

// The product path: a broker file of its own for each test.
brokerContract('in-process', async (options) => {
  const dir = await mkdtemp(join(tmpdir(), 'broker-test-'));
  const broker = new InProcessBroker({ ...options, file: join(dir, 'broker.db') });
  return { broker, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('the in-process broker, beyond the shared contract', () => {
  let dir: string;
  let broker: InProcessBroker;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-test-'));
    // A poll every 10 ms: it must tell what this broker wrote from what another process did.
    broker = new InProcessBroker({ file: join(dir, 'broker.db'), pollMs: 10 });
  });
  afterEach(async () => {
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands a message out once while it is held, and never again once acked, poll after poll', async () => {
    const held: Delivery[] = [];
    await broker.consume('users', async (delivery) => void held.push(delivery));
    for (const n of [1, 2, 3]) await broker.publish('VerifyUser', `held ${n}`);
    await waitFor(() => held.length === 3, { what: 'three deliveries' });
    await setTimeout(100);
    expect(held.map((d) => d.payload)).toEqual(['held 1', 'held 2', 'held 3']);

    for (const delivery of held) delivery.ack();
    await setTimeout(100);
    expect(held).toHaveLength(3);
  });

  it('keeps a requeued message ahead of newer ones', async () => {
    const one = new InProcessBroker({ file: join(dir, 'one-at-a-time.db'), prefetch: 1 });
    const seen: string[] = [];
    for (const payload of ['first', 'second']) await one.publish('VerifyUser', payload);
    await one.consume('users', async (delivery) => {
      seen.push(delivery.payload);
      if (delivery.payload === 'first' && !delivery.redelivered) delivery.requeue();
      else delivery.ack();
    });
    await waitFor(() => seen.length === 3, { what: 'every delivery' });
    expect(seen).toEqual(['first', 'first', 'second']);
    await one.close();
  });

  const rowsWritten = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").get() as
        { seq: number } | undefined;
      return row?.seq ?? 0;
    } finally {
      db.close();
    }
  };

  it('writes nothing for a message its queues settle in time, and resolves the publish when they have', async () => {
    const seen: string[] = [];
    await broker.consume('users', async (delivery) => {
      seen.push(delivery.payload);
      delivery.ack();
    });
    await Promise.all([1, 2, 3].map((n) => broker.publish('VerifyUser', `quick ${n}`)));
    expect(seen).toEqual(['quick 1', 'quick 2', 'quick 3']);
    expect(rowsWritten(join(dir, 'broker.db'))).toBe(0);
  });

  it('writes a message its queue holds past storeAfterMs, and only then resolves the publish', async () => {
    const file = join(dir, 'slow.db');
    const slow = new InProcessBroker({ file, storeAfterMs: 200 });
    const held: Delivery[] = [];
    await slow.consume('users', async (delivery) => void held.push(delivery));
    const startedAt = Date.now();
    await slow.publish('VerifyUser', 'held');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
    expect(held).toHaveLength(1);
    expect(rowsWritten(file)).toBe(1);
    await slow.close();

    // A publish still waiting when the broker closes fails: its sender keeps the message.
    const closing = new InProcessBroker({ file, storeAfterMs: 60_000 });
    const unsettled: Delivery[] = [];
    await closing.consume('orders', async (delivery) => void unsettled.push(delivery));
    const waiting = closing.publish('OrderConfirmed', 'unsettled');
    await waitFor(() => unsettled.length === 1, { what: 'the delivery' });
    await closing.close();
    await expect(waiting).rejects.toThrow('broker is closed');
  });
});
