/**
 * UUID version 7 (RFC 9562): a millisecond timestamp, a counter, random bits. Ids made together
 * sort together, so a database index takes them at its end instead of on a random page — the
 * check-in ids kiosks make and the server's row ids both use it. Within one process ids strictly
 * increase, also within a millisecond and when the clock steps back; the random tail keeps
 * processes apart. Works in browsers and Node (Web Crypto).
 */
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let lastMs = -1;
let counter = 0;

interface WebCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
}
const webRandom = (n: number): Uint8Array =>
  (globalThis as unknown as { crypto: WebCrypto }).crypto.getRandomValues(new Uint8Array(n));

export function uuidV7(now: number = Date.now(), random: (n: number) => Uint8Array = webRandom): string {
  const r = random(10);
  let ms = now;
  if (ms > lastMs) {
    lastMs = ms;
    // A random start in the lower quarter leaves room to count up within the millisecond.
    counter = (((r[0] ?? 0) << 8) | (r[1] ?? 0)) & 0x3ff;
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // Over 3,000 ids in one millisecond: borrow the next one.
      lastMs = ms = lastMs + 1;
      counter = 0;
    }
  }
  let s = '';
  // 48-bit millisecond timestamp, big-endian (beyond 32 bits: no bitwise operators).
  for (let i = 5; i >= 0; i--) s += hex[Math.floor(ms / 2 ** (8 * i)) % 256];
  s += `-${hex[0x70 | (counter >> 8)]}${hex[counter & 0xff]}-${hex[0x80 | ((r[2] ?? 0) & 0x3f)]}${hex[r[3] ?? 0]}-`;
  for (let i = 4; i < 10; i++) s += hex[r[i] ?? 0];
  return `${s.slice(0, 8)}-${s.slice(8)}`;
}
