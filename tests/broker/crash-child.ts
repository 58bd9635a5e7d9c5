import { InProcessBroker } from '../../broker/in-process/in-process';

/**
 * Run by in-process-durability.test.ts, which kills it with SIGKILL once it prints `ready`:
 * on the broker file given as argument it leaves one message acked, one delivered but not
 * acked, one waiting for its retry, and one never delivered.
 */
const broker = new InProcessBroker({ file: process.argv[2]! });
await broker.publish('ReserveStock', 'ack me');
await broker.publish('ReserveStock', 'hold me');
await broker.publish('ReserveStock', 'retry me');
await broker.publish('OrderConfirmed', 'never delivered');
let handled = 0;
await broker.consume('products', async (delivery) => {
  if (delivery.payload === 'ack me') delivery.ack();
  if (delivery.payload === 'retry me' && delivery.attempt === 1) await delivery.retry(2_000, 'crash test');
  // On the next turn, after the broker's own: it writes the turn's acks in an immediate queued
  // at the first one, so `ack me` is off the file before the parent may kill.
  if (++handled === 3) setImmediate(() => process.stdout.write('ready\n'));
});
// Stays alive until killed: the broker's own timers do not hold the process.
setInterval(() => {}, 60_000);
