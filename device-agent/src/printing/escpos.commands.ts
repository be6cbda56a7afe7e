/**
 * ESC/POS command bytes (hardware.md §4) and a small byte builder. Only what the ticket and
 * the status path need; every command here is also understood by `escpos.decoder.ts`.
 */
import type { EncodedJob } from './escpos.types';

export const ESC = 0x1b;
export const GS = 0x1d;
export const DLE = 0x10;
export const EOT = 0x04;
export const FS = 0x1c;
export const LF = 0x0a;
export const XON = 0x11;
export const XOFF = 0x13;

export type Align = 'left' | 'center' | 'right';
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';
export type CutMode = 'full' | 'partial';

const ALIGN_CODE: Record<Align, number> = { left: 0, center: 1, right: 2 };
const EC_CODE: Record<QrErrorCorrection, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };

/** `DLE EOT n`: n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export const realtimeStatusRequest = (n: 1 | 2 | 3 | 4): Uint8Array => Uint8Array.of(DLE, EOT, n);
/** `GS a n`: enable automatic status back (0 disables). Bits: 1 drawer, 2 online, 4 error, 8 paper. */
export const automaticStatusBack = (n: number): Uint8Array => Uint8Array.of(GS, 0x61, n & 0xff);

/** Line spacing before any `ESC 3`: 30 dots on the 180/203 dpi models (1/6 inch at 180 dpi). */
export const DEFAULT_LINE_SPACING_DOTS = 30;

/**
 * Builds a command stream into one growing buffer (no per-command allocations). It records where
 * each command ends and how much paper the stream feeds, so a job carries its own split points
 * (`EncodedJob`) and nobody has to decode it again to find them.
 */
export class EscPosBuilder {
  private buf: Uint8Array;
  private len = 0;
  private readonly ends: number[] = [];
  private heightMul = 1;
  private fedDots = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Uint8Array(initialBytes);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private put(...bytes: number[]): this {
    this.reserve(bytes.length);
    for (const b of bytes) this.buf[this.len++] = b & 0xff;
    return this;
  }

  private putBytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** The command just written is complete: the stream may be split here. */
  private end(feedsDots = 0): this {
    if (this.ends[this.ends.length - 1] !== this.len) this.ends.push(this.len);
    this.fedDots += feedsDots;
    return this;
  }

  /** ESC @ */
  init(): this {
    this.heightMul = 1;
    return this.put(ESC, 0x40).end();
  }
  /** ESC t n */
  codeTable(n: number): this {
    return this.put(ESC, 0x74, n).end();
  }
  /** ESC a n */
  align(align: Align): this {
    return this.put(ESC, 0x61, ALIGN_CODE[align]).end();
  }
  /** ESC E n */
  bold(on: boolean): this {
    return this.put(ESC, 0x45, on ? 1 : 0).end();
  }
  /** GS ! n with n = (w−1)·16 + (h−1); w, h in 1..8. */
  size(width: number, height: number): this {
    const w = Math.min(8, Math.max(1, Math.round(width)));
    const h = Math.min(8, Math.max(1, Math.round(height)));
    this.heightMul = h;
    return this.put(GS, 0x21, ((w - 1) << 4) | (h - 1)).end();
  }
  /** Printable single-byte text (already encoded) followed by LF. */
  line(encoded: Uint8Array | string): this {
    if (typeof encoded === 'string') {
      this.reserve(encoded.length + 1);
      for (let i = 0; i < encoded.length; i++) this.buf[this.len++] = encoded.charCodeAt(i) & 0xff;
    } else {
      this.putBytes(encoded);
    }
    return this.put(LF).end(DEFAULT_LINE_SPACING_DOTS * this.heightMul);
  }
  /** ESC d n: print and feed n lines (the current line, then n − 1 more). */
  feedLines(n: number): this {
    const dots = DEFAULT_LINE_SPACING_DOTS * this.heightMul + Math.max(0, n - 1) * DEFAULT_LINE_SPACING_DOTS;
    return this.put(ESC, 0x64, n).end(dots);
  }
  /** ESC J n: print and feed n dots. */
  feedDots(n: number): this {
    return this.put(ESC, 0x4a, n).end(n);
  }
  /**
   * GS ( k: QR model 2, module size, error correction, store, print — five commands. `modules`
   * (per side, an upper bound is fine) only counts the paper the symbol takes.
   */
  qr(payload: Uint8Array, moduleDots: number, ec: QrErrorCorrection, modules: number): this {
    const storeLen = payload.length + 3;
    this.put(GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00).end();
    this.put(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, moduleDots).end();
    this.put(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, EC_CODE[ec]).end();
    this.put(GS, 0x28, 0x6b, storeLen & 0xff, storeLen >> 8, 0x31, 0x50, 0x30)
      .putBytes(payload)
      .end();
    return this.put(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30).end(modules * moduleDots);
  }
  /** GS v 0 m xL xH yL yH d… — `bits` is row-major, 1 = black, MSB first, `widthBytes` per row. */
  raster(bits: Uint8Array, widthBytes: number, heightDots: number): this {
    return this.put(GS, 0x76, 0x30, 0x00, widthBytes & 0xff, widthBytes >> 8, heightDots & 0xff, heightDots >> 8)
      .putBytes(bits.subarray(0, widthBytes * heightDots))
      .end(heightDots);
  }
  /** GS V 65/66 n: feed n dots past the cutter, then cut. */
  cut(mode: CutMode, feedDots = 0): this {
    return this.put(GS, 0x56, mode === 'full' ? 0x41 : 0x42, feedDots).end(feedDots);
  }

  get length(): number {
    return this.len;
  }

  /** The stream, the offset after each command (ascending, the last is the length) and the paper fed. */
  build(): EncodedJob {
    return { bytes: this.buf.slice(0, this.len), boundaries: [...this.ends], heightDots: this.fedDots };
  }
}
