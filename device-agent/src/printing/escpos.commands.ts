/**
 * ESC/POS command bytes (hardware.md §4) and a small byte builder. Only what the ticket and
 * the status path need; every command here is also understood by `escpos.decoder.ts`.
 */

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

/** Builds a command stream into one growing buffer (no per-command allocations). */
export class EscPosBuilder {
  private buf: Uint8Array;
  private len = 0;

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

  raw(...bytes: number[]): this {
    this.reserve(bytes.length);
    for (const b of bytes) this.buf[this.len++] = b & 0xff;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** ESC @ */
  init(): this {
    return this.raw(ESC, 0x40);
  }
  /** ESC t n */
  codeTable(n: number): this {
    return this.raw(ESC, 0x74, n);
  }
  /** ESC a n */
  align(align: Align): this {
    return this.raw(ESC, 0x61, ALIGN_CODE[align]);
  }
  /** ESC E n */
  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0);
  }
  /** GS ! n with n = (w−1)·16 + (h−1); w, h in 1..8. */
  size(width: number, height: number): this {
    const w = Math.min(8, Math.max(1, Math.round(width)));
    const h = Math.min(8, Math.max(1, Math.round(height)));
    return this.raw(GS, 0x21, ((w - 1) << 4) | (h - 1));
  }
  /** Printable single-byte text (already encoded) followed by LF. */
  line(encoded: Uint8Array | string): this {
    if (typeof encoded === 'string') {
      this.reserve(encoded.length + 1);
      for (let i = 0; i < encoded.length; i++) this.buf[this.len++] = encoded.charCodeAt(i) & 0xff;
    } else {
      this.bytes(encoded);
    }
    return this.raw(LF);
  }
  /** ESC d n: print and feed n lines. */
  feedLines(n: number): this {
    return this.raw(ESC, 0x64, n);
  }
  /** ESC J n: print and feed n dots. */
  feedDots(n: number): this {
    return this.raw(ESC, 0x4a, n);
  }
  /** GS ( k: QR model 2, module size, error correction, store, print. */
  qr(payload: Uint8Array, moduleDots: number, ec: QrErrorCorrection): this {
    const storeLen = payload.length + 3;
    return this.raw(GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00)
      .raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, moduleDots)
      .raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, EC_CODE[ec])
      .raw(GS, 0x28, 0x6b, storeLen & 0xff, storeLen >> 8, 0x31, 0x50, 0x30)
      .bytes(payload)
      .raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);
  }
  /** GS v 0 m xL xH yL yH d… — `bits` is row-major, 1 = black, MSB first, `widthBytes` per row. */
  raster(bits: Uint8Array, widthBytes: number, heightDots: number): this {
    return this.raw(GS, 0x76, 0x30, 0x00, widthBytes & 0xff, widthBytes >> 8, heightDots & 0xff, heightDots >> 8).bytes(
      bits.subarray(0, widthBytes * heightDots),
    );
  }
  /** GS V 65/66 n: feed n dots past the cutter, then cut. */
  cut(mode: CutMode, feedDots = 0): this {
    return this.raw(GS, 0x56, mode === 'full' ? 0x41 : 0x42, feedDots);
  }

  get length(): number {
    return this.len;
  }

  build(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
