import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker, Delivery } from '../../broker/broker';
import { InProcessBroker } from '../../broker/in-process/in-process';
import { waitFor } from '../../lib/wait';

describe('the in-process broker on its SQLite file', () => {
  let dir: string;
  let file: string;
  const opened: Broker[] = [];
  const open = () => {
    const broker = new InProcessBroker({ file });
    opened.push(broker);
    return broker;
  };
  const record = async (broker: Broker, queue: 'products' | 'orders' | 'users') => {
    const seen: Delivery[] = [];
    await broker.consume(queue, async (delivery) => {
      seen.push(delivery);
      delivery.ack();
    });
    return seen;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-durability-'));
    file = join(dir, 'broker.db');
  });
  afterEach(async () => {
    for (const broker of opened.splice(0)) await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing when its process is killed: what was not acked comes back, flagged redelivered', async () => {
    // Node itself with tsx's loader: the tsx launcher would run the script in a grandchild that SIGKILL misses.
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/broker/crash-child.ts', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('ready') || child.exitCode !== null, { what: 'the child to be ready' });
    expect(output).toBe('ready\n');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const broker = open();
    const products = await record(broker, 'products');
    const orders = await record(broker, 'orders');
    await broker.publish('ReserveStock', 'end');
    await waitFor(() => products.length >= 3 && orders.length >= 1, { what: 'the messages left by the child' });

    // Handing a message out is not written down, so whatever the child left may have been delivered:
    // all of it comes flagged redelivered; a pending retry keeps its attempt and its delay.
    expect(products.map((d) => [d.payload, d.redelivered, d.attempt])).toEqual([
      ['hold me', true, 1],
      ['end', false, 1],
      ['retry me', true, 2],
    ]);
    expect(orders.map((d) => [d.payload, d.redelivered])).toEqual([['never delivered', true]]);
  });

  it('after a close, delivers again what was not acked, flagged redelivered, and keeps dead letters', async () => {
    const first = open();
    const held: Delivery[] = [];
    await first.consume('users', async (delivery) => {
      if (delivery.payload === 'dead') await delivery.deadLetter('poisoned');
      else if (delivery.payload === 'acked') delivery.ack();
      else held.push(delivery);
    });
    for (const payload of ['acked', 'dead', 'held']) await first.publish('VerifyUser', payload);
    await waitFor(() => held.length === 1, { what: 'the held delivery' });
    const letters = await first.deadLetters('users');
    await first.close();
    expect(() => held[0]!.ack(), 'settling after close changes nothing').not.toThrow();

    const second = open();
    const seen = await record(second, 'users');
    await second.publish('VerifyUser', 'end');
    await waitFor(() => seen.some((d) => d.payload === 'end'), { what: 'the end marker' });
    expect(seen.map((d) => [d.payload, d.redelivered])).toEqual([
      ['held', true],
      ['end', false],
    ]);
    expect(letters).toHaveLength(1);
    expect(await second.deadLetters('users')).toEqual(letters);
  });

  it('picks up within a second what another handle on the same file wrote', async () => {
    const running = open();
    const seen = await record(running, 'users');
    const other = open();
    const startedAt = Date.now();
    await other.publish('VerifyUser', 'from another process');
    await waitFor(() => seen.length > 0, { timeoutMs: 1_500, what: 'the message' });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });
});
