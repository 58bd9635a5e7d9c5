import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerContract } from '../conformance/broker.contract';
import { InProcessBroker } from './in-process';

// The product path: a broker file of its own for each test.
brokerContract('in-process', async (options) => {
  const dir = await mkdtemp(join(tmpdir(), 'broker-test-'));
  const broker = new InProcessBroker({ ...options, file: join(dir, 'broker.db') });
  return { broker, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
