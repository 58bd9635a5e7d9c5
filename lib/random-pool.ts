import { randomBytes } from 'node:crypto';

let pool = Buffer.alloc(0);
let used = 0;

/**
 * `count` random bytes, from 4 KiB drawn from the OS at a time: asking it for each id's few
 * bytes cost more than the rest of making the id (CPU profiles of GET /products and of the
 * sagas). Each byte is handed out once.
 */
export function pooledRandomBytes(count: number): Buffer {
  if (used + count > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += count;
  return pool.subarray(used - count, used);
}
