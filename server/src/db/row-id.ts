/**
 * Row identifiers: UUID version 7 (RFC 9562) — a millisecond timestamp, then a counter, then
 * random bits. Rows created together sort together, so inserts land on the last pages of each
 * primary-key and foreign-key index instead of random ones: a group commit of many check-ins
 * writes a few pages, not a few per check-in. The counter keeps ids from one process strictly
 * increasing within a millisecond; the random tail keeps instances apart.
 */
import { randomFillSync } from 'node:crypto';

const POOL = 4096;
const pool = Buffer.alloc(POOL);
let poolAt = POOL;
let lastMs = -1;
let counter = 0;

/** `n` (≤ 4,096) random bytes from a pool refilled by the CSPRNG: one call per 4 KiB, not per id. */
export function pooledRandomBytes(n: number): Buffer {
  return random(n);
}

function random(n: number): Buffer {
  if (poolAt + n > POOL) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function newRowId(now: number = Date.now()): string {
  let ms = now;
  if (ms > lastMs) {
    lastMs = ms;
    // A random start leaves room to count up within the millisecond.
    counter = random(2).readUInt16BE(0) & 0x3ff;
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // 3,000+ ids in one millisecond: borrow the next one.
      lastMs = ms = lastMs + 1;
      counter = 0;
    }
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  random(8).copy(b, 8);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += hex[b[i] ?? 0];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
