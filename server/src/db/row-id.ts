/**
 * Row identifiers: UUID version 7 (protocol's uuidV7), so rows created together sort together and
 * inserts land on the last pages of each primary-key and foreign-key index instead of random
 * ones: a group commit of many check-ins writes a few pages, not a few per check-in. The random
 * bits come from a pool refilled by the CSPRNG 4 KiB at a time.
 */
import { randomFillSync } from 'node:crypto';
import { uuidV7 } from '@kiosk/protocol';

const POOL = 4096;
const pool = Buffer.alloc(POOL);
let poolAt = POOL;

/** `n` (≤ 4,096) random bytes from the pool: one CSPRNG call per 4 KiB, not per id. */
export function pooledRandomBytes(n: number): Buffer {
  if (poolAt + n > POOL) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

export function newRowId(now: number = Date.now()): string {
  return uuidV7(now, pooledRandomBytes);
}
