/**
 * A tiny baseline JPEG encoder for the virtual chip's face: an 8-bit grayscale image made
 * of flat 8×8 blocks (only DC coefficients, AC = EOB), with custom Huffman tables, padded
 * to the requested size with COM segments so DG2 has a realistic length (10–26 KB on real
 * cards). A real, decodable JFIF file; not a photograph.
 */

export interface GeneratedJpegOptions {
  widthPx?: number;
  heightPx?: number;
  /** Total file size to reach with COM padding; the image alone is ~1–2 KB. */
  targetBytes?: number;
  /** Seed of the padding bytes and the shading noise. */
  seed?: number;
}

class BitWriter {
  private readonly out: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.out.push(this.acc);
    if (this.acc === 0xff) this.out.push(0x00);
    this.acc = 0;
    this.n = 0;
  }
  finish(): number[] {
    while (this.n !== 0) this.write(1, 1);
    return this.out;
  }
}

function segment(marker: number, body: number[]): number[] {
  const len = body.length + 2;
  return [0xff, marker, len >> 8, len & 0xff, ...body];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

/** Category (bit length) of a DC difference. */
function category(v: number): number {
  let a = Math.abs(v);
  let c = 0;
  while (a > 0) {
    c++;
    a >>= 1;
  }
  return c;
}

export function generateFaceJpeg(options: GeneratedJpegOptions = {}): Uint8Array {
  const width = Math.max(8, Math.round((options.widthPx ?? 240) / 8) * 8);
  const height = Math.max(8, Math.round((options.heightPx ?? 320) / 8) * 8);
  const rnd = lcg(options.seed ?? 7);
  const bytes: number[] = [0xff, 0xd8];
  bytes.push(...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]));
  const header = bytes.length;
  // Quantization table 0: all 8, so a flat block's quantized DC equals its level-shifted value.
  bytes.push(...segment(0xdb, [0x00, ...new Array<number>(64).fill(8)]));
  bytes.push(...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]));
  // DC table 0: categories 0–11, all 4-bit codes. AC table 0: EOB only, a 1-bit code.
  const dcCounts = new Array<number>(16).fill(0);
  dcCounts[3] = 12;
  bytes.push(...segment(0xc4, [0x00, ...dcCounts, ...Array.from({ length: 12 }, (_, i) => i)]));
  const acCounts = new Array<number>(16).fill(0);
  acCounts[0] = 1;
  bytes.push(...segment(0xc4, [0x10, ...acCounts, 0x00]));
  bytes.push(...segment(0xda, [1, 1, 0x00, 0, 63, 0]));

  const bw = new BitWriter();
  let prev = 0;
  const bx = width / 8;
  const by = height / 8;
  for (let y = 0; y < by; y++) {
    for (let x = 0; x < bx; x++) {
      // A light oval "face" on a darker background, with a little noise.
      const dx = (x + 0.5 - bx / 2) / (bx * 0.35);
      const dy = (y + 0.5 - by / 2) / (by * 0.42);
      const inside = dx * dx + dy * dy < 1;
      const level = (inside ? 190 : 70) + (rnd() % 17) - 8;
      const dc = Math.max(-128, Math.min(127, level - 128));
      const diff = dc - prev;
      prev = dc;
      const c = category(diff);
      bw.write(c, 4);
      if (c > 0) bw.write(diff >= 0 ? diff : diff + (1 << c) - 1, c);
      bw.write(0, 1); // EOB
    }
  }
  const scan = [...bw.finish(), 0xff, 0xd9];

  const target = options.targetBytes ?? 0;
  let missing = target - (bytes.length + scan.length);
  const padding: number[] = [];
  while (missing > 4) {
    const body = Math.min(missing - 4, 65533);
    padding.push(
      ...segment(
        0xfe,
        Array.from({ length: body }, () => rnd() & 0x7f),
      ),
    );
    missing -= body + 4;
  }
  return Uint8Array.from([...bytes.slice(0, header), ...padding, ...bytes.slice(header), ...scan]);
}
