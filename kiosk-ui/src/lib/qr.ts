/**
 * A small QR code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1–10
 * (up to 213 bytes), with the standard mask selection. Enough for the on-screen ticket's QR (its
 * status page's URL, at most 200 characters, or `TK:<lookupCode>`); a full library would cost the
 * kiosk bundle several kilobytes.
 */

/** ECC codewords per block and number of blocks for level M, versions 1–10. */
const ECC_PER_BLOCK = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
const MAX_VERSION = 10;
/** Format-information bits of level M. */
const LEVEL_M_BITS = 0;

export interface QrMatrix {
  size: number;
  /** `dark[y][x]` */
  dark: boolean[][];
}

function rawModules(ver: number): number {
  let n = (16 * ver + 128) * ver + 64;
  if (ver >= 2) {
    const align = Math.floor(ver / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (ver >= 7) n -= 36;
  }
  return n;
}

function dataCapacity(ver: number): number {
  return Math.floor(rawModules(ver) / 8) - (ECC_PER_BLOCK[ver - 1] ?? 0) * (BLOCKS[ver - 1] ?? 0);
}

function gfMul(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

function rsDivisor(degree: number): number[] {
  const r = new Array<number>(degree).fill(0);
  r[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      r[j] = gfMul(r[j] ?? 0, root) ^ (r[j + 1] ?? 0);
    }
    root = gfMul(root, 2);
  }
  return r;
}

function rsRemainder(data: number[], divisor: number[]): number[] {
  const r = new Array<number>(divisor.length).fill(0);
  for (const b of data) {
    const factor = b ^ (r.shift() ?? 0);
    r.push(0);
    divisor.forEach((d, i) => (r[i] = (r[i] ?? 0) ^ gfMul(d, factor)));
  }
  return r;
}

function alignmentPositions(ver: number, size: number): number[] {
  if (ver === 1) return [];
  const count = Math.floor(ver / 7) + 2;
  const step = Math.ceil((ver * 4 + 4) / (count * 2 - 2)) * 2;
  const out = [6];
  for (let pos = size - 7; out.length < count; pos -= step) out.splice(1, 0, pos);
  return out;
}

/** Data codewords with error correction, split into blocks and interleaved. */
function codewords(bytes: Uint8Array, ver: number): number[] {
  const bits: number[] = [];
  const put = (value: number, len: number) => {
    for (let i = len - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, ver <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const capBits = dataCapacity(ver) * 8;
  put(0, Math.min(4, capBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < capBits / 8; pad ^= 0xec ^ 0x11) data.push(pad);

  const blocks = BLOCKS[ver - 1] ?? 1;
  const eccLen = ECC_PER_BLOCK[ver - 1] ?? 0;
  const raw = Math.floor(rawModules(ver) / 8);
  const shortBlocks = blocks - (raw % blocks);
  const shortLen = Math.floor(raw / blocks);
  const divisor = rsDivisor(eccLen);
  const parts: number[][] = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const dat = data.slice(k, k + shortLen - eccLen + (i < shortBlocks ? 0 : 1));
    k += dat.length;
    const ecc = rsRemainder(dat, divisor);
    if (i < shortBlocks) dat.push(0);
    parts.push([...dat, ...ecc]);
  }
  const out: number[] = [];
  for (let i = 0; i < shortLen + 1; i++) {
    parts.forEach((block, j) => {
      if (i !== shortLen - eccLen || j >= shortBlocks) out.push(block[i] ?? 0);
    });
  }
  return out;
}

const masks: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Builder {
  readonly dark: boolean[][];
  readonly fixed: boolean[][];
  constructor(
    readonly ver: number,
    readonly size: number,
  ) {
    this.dark = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.fixed = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }
  set(x: number, y: number, dark: boolean): void {
    const row = this.dark[y];
    const fixedRow = this.fixed[y];
    if (!row || !fixedRow || x < 0 || x >= this.size) return;
    row[x] = dark;
    fixedRow[x] = true;
  }
  functionPatterns(): void {
    const { size } = this;
    for (let i = 0; i < size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [cx, cy] of [
      [3, 3],
      [size - 4, 3],
      [3, size - 4],
    ] as const) {
      for (let dy = -4; dy <= 4; dy++)
        for (let dx = -4; dx <= 4; dx++) {
          const d = Math.max(Math.abs(dx), Math.abs(dy));
          this.set(cx + dx, cy + dy, d !== 2 && d !== 4);
        }
    }
    const pos = alignmentPositions(this.ver, size);
    const last = pos.length - 1;
    pos.forEach((py, i) =>
      pos.forEach((px, j) => {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++) this.set(px + dx, py + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }),
    );
    this.format(0);
    if (this.ver >= 7) {
      let rem = this.ver;
      for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
      const bits = (this.ver << 12) | rem;
      for (let i = 0; i < 18; i++) {
        const bit = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, bit);
        this.set(b, a, bit);
      }
    }
  }
  format(mask: number): void {
    const data = (LEVEL_M_BITS << 3) | mask;
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const bits = ((data << 10) | rem) ^ 0x5412;
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    const { size } = this;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
    this.set(8, size - 8, true);
  }
  place(data: number[]): void {
    const { size } = this;
    let i = 0;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let v = 0; v < size; v++)
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const y = ((right + 1) & 2) === 0 ? size - 1 - v : v;
          const row = this.dark[y];
          if (!row || this.fixed[y]?.[x] || i >= data.length * 8) continue;
          row[x] = (((data[i >>> 3] ?? 0) >>> (7 - (i & 7))) & 1) === 1;
          i++;
        }
    }
  }
  applyMask(mask: number): void {
    const test = masks[mask] ?? masks[0]!;
    for (let y = 0; y < this.size; y++)
      for (let x = 0; x < this.size; x++) {
        const row = this.dark[y];
        if (row && !this.fixed[y]?.[x] && test(x, y)) row[x] = !row[x];
      }
  }
  /** The standard's penalty score (N1 runs, N2 blocks, N3 finder-like patterns, N4 balance). */
  penalty(): number {
    const { size, dark } = this;
    const at = (x: number, y: number) => dark[y]?.[x] ?? false;
    let score = 0;
    let darkCount = 0;
    const finderLike = /10111010000|00001011101/gu;
    for (let pass = 0; pass < 2; pass++) {
      for (let a = 0; a < size; a++) {
        let line = '';
        let run = 0;
        let prev: boolean | undefined;
        for (let b = 0; b < size; b++) {
          const v = pass === 0 ? at(b, a) : at(a, b);
          line += v ? '1' : '0';
          if (v === prev) run++;
          else {
            if (run >= 5) score += run - 2;
            run = 1;
            prev = v;
          }
        }
        if (run >= 5) score += run - 2;
        const padded = `0000${line}0000`;
        score += (padded.match(finderLike)?.length ?? 0) * 40;
      }
    }
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        if (at(x, y)) darkCount++;
        if (y < size - 1 && x < size - 1) {
          const c = at(x, y);
          if (at(x + 1, y) === c && at(x, y + 1) === c && at(x + 1, y + 1) === c) score += 3;
        }
      }
    const total = size * size;
    score += (Math.ceil(Math.abs(darkCount * 20 - total * 10) / total) - 1) * 10;
    return score;
  }
}

/** Encodes text (UTF-8) as a QR code; null when it does not fit version 10-M. */
export function encodeQr(text: string, forceMask?: number): QrMatrix | null {
  const bytes = new TextEncoder().encode(text);
  let ver = 1;
  while (ver <= MAX_VERSION && dataCapacity(ver) < bytes.length + (ver <= 9 ? 2 : 3)) ver++;
  if (ver > MAX_VERSION) return null;
  const size = ver * 4 + 17;
  const data = codewords(bytes, ver);
  let best: Builder | undefined;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    if (forceMask !== undefined && mask !== forceMask) continue;
    const b = new Builder(ver, size);
    b.functionPatterns();
    b.place(data);
    b.applyMask(mask);
    b.format(mask);
    const score = b.penalty();
    if (score < bestScore) {
      best = b;
      bestScore = score;
    }
  }
  return best ? { size, dark: best.dark } : null;
}

/** An SVG path (`M x y h1 v1 h-1 z` per dark module) for a matrix drawn at 1 unit per module. */
export function qrPath(qr: QrMatrix, quiet = 4): string {
  let d = '';
  qr.dark.forEach((row, y) =>
    row.forEach((on, x) => {
      if (on) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }),
  );
  return d;
}
