/**
 * ESC/POS bytes → what the printer would do: text lines with their attributes, raster images,
 * QR codes, barcodes, feeds and cuts; real-time commands and unknown commands are reported,
 * never silently skipped. `EscPosStreamParser` takes bytes in arbitrary chunks (the simulated
 * printer feeds it from the wire); `decodeEscPos` decodes a whole buffer.
 */
import type { Align, CutMode, QrErrorCorrection } from './escpos.commands';
import { codePageDecoders, decodeAsciiOnly } from './codepages';

interface BlockBase {
  /** Byte offset of the command in the stream. */
  offset: number;
  align: Align;
}
export interface TextBlock extends BlockBase {
  kind: 'text';
  text: string;
  bold: boolean;
  underline: boolean;
  font: 'A' | 'B';
  widthMul: number;
  heightMul: number;
  /** ESC t number in force. */
  codeTable: number;
}
export interface RasterBlock extends BlockBase {
  kind: 'raster';
  /** Printed size in dots (after GS v 0 m scaling). */
  widthDots: number;
  heightDots: number;
  /** Source bitmap: row-major, MSB first, 1 = black. */
  widthBytes: number;
  rows: number;
  bits: Uint8Array;
  scaleX: number;
  scaleY: number;
}
export interface QrBlock extends BlockBase {
  kind: 'qr';
  payload: string;
  moduleDots: number;
  errorCorrection: QrErrorCorrection;
}
export interface BarcodeBlock extends BlockBase {
  kind: 'barcode';
  symbology: string;
  data: string;
  heightDots: number;
  moduleDots: number;
}
export interface FeedBlock extends BlockBase {
  kind: 'feed';
  dots: number;
}
export interface CutBlock extends BlockBase {
  kind: 'cut';
  mode: CutMode;
  feedDots: number;
}
export type DecodedBlock = TextBlock | RasterBlock | QrBlock | BarcodeBlock | FeedBlock | CutBlock;

export interface UnknownCommand {
  offset: number;
  bytes: number[];
  reason: string;
}

export type ParserEvent =
  | { type: 'block'; block: DecodedBlock }
  /** ESC @ */
  | { type: 'init'; offset: number }
  /** DLE EOT n */
  | { type: 'realtime-status'; n: number; offset: number }
  /** GS a n */
  | { type: 'asb'; n: number; offset: number }
  | { type: 'unknown'; command: UnknownCommand };

export interface DecodeOptions {
  /** `ESC t` numbers → encoding names, normally the profile's `capabilities.codePages`. */
  codePages?: readonly { encoding: string; number: number }[];
  /** Line spacing in dots used for `ESC d` feeds before any `ESC 3`. Default 30. */
  defaultLineSpacingDots?: number;
}

const ALIGNS: Align[] = ['left', 'center', 'right'];
const EC_LEVELS: QrErrorCorrection[] = ['L', 'M', 'Q', 'H'];
const BARCODES: Record<number, string> = {
  0: 'UPC-A',
  1: 'UPC-E',
  2: 'EAN13',
  3: 'EAN8',
  4: 'CODE39',
  5: 'ITF',
  6: 'CODABAR',
  65: 'UPC-A',
  66: 'UPC-E',
  67: 'EAN13',
  68: 'EAN8',
  69: 'CODE39',
  70: 'ITF',
  71: 'CODABAR',
  72: 'CODE93',
  73: 'CODE128',
};

const NEED_MORE = -1;

/** Incremental ESC/POS parser. Call `push` with each chunk and `end` at the end of the stream. */
export class EscPosStreamParser {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private base = 0;
  // printer state
  private align: Align = 'left';
  private bold = false;
  private underline = false;
  private fontB = false;
  private widthMul = 1;
  private heightMul = 1;
  private codeTable = 0;
  private lineSpacing: number;
  private qrModule = 3;
  private qrEc: QrErrorCorrection = 'L';
  private qrData: Uint8Array | undefined;
  private barcodeHeight = 162;
  private barcodeModule = 3;
  // the line being composed
  private text: number[] = [];
  private textAttrs: Omit<TextBlock, 'kind' | 'text' | 'align'> | undefined;

  constructor(
    private readonly emit: (event: ParserEvent) => void,
    private readonly options: DecodeOptions = {},
    /** Called with the stream offset after every complete command or character. */
    private readonly onCommandEnd?: (offset: number) => void,
  ) {
    this.lineSpacing = options.defaultLineSpacingDots ?? 30;
  }

  /** Bytes buffered but not yet a complete command. */
  get pending(): number {
    return this.buf.length - this.pos;
  }

  push(chunk: Uint8Array): void {
    if (this.pos < this.buf.length) {
      const merged = new Uint8Array(this.buf.length - this.pos + chunk.length);
      merged.set(this.buf.subarray(this.pos));
      merged.set(chunk, this.buf.length - this.pos);
      this.base += this.pos;
      this.buf = merged;
    } else {
      this.base += this.buf.length;
      this.buf = chunk;
    }
    this.pos = 0;
    while (this.pos < this.buf.length) {
      let used = this.step();
      if (used === NEED_MORE) break;
      if (used < 1) {
        // Every step consumes a byte, whatever a length field said: garbage never stalls the parser.
        this.unknown(this.pos, 1, 'command of no length');
        used = 1;
      }
      this.pos += used;
      this.onCommandEnd?.(this.base + this.pos);
    }
  }

  /** Flushes a line without LF (real printers print it on the next feed) and reports truncation. */
  end(): { truncated: boolean } {
    const truncated = this.pos < this.buf.length;
    if (truncated) {
      this.unknown(this.pos, this.buf.length - this.pos, 'stream ends inside a command');
      this.pos = this.buf.length;
    }
    this.flushLine(false);
    return { truncated };
  }

  /** Printer reset (ESC @ or power cycle). */
  reset(): void {
    this.align = 'left';
    this.bold = false;
    this.underline = false;
    this.fontB = false;
    this.widthMul = 1;
    this.heightMul = 1;
    this.codeTable = 0;
    this.lineSpacing = this.options.defaultLineSpacingDots ?? 30;
    this.qrData = undefined;
    this.text = [];
    this.textAttrs = undefined;
  }

  private at(i: number): number | undefined {
    return this.buf[this.pos + i];
  }
  private offset(): number {
    return this.base + this.pos;
  }
  private has(n: number): boolean {
    return this.pos + n <= this.buf.length;
  }
  private unknown(relPos: number, len: number, reason: string): void {
    this.emit({
      type: 'unknown',
      command: {
        offset: this.base + relPos,
        bytes: [...this.buf.subarray(relPos, relPos + Math.min(len, 16))],
        reason,
      },
    });
  }
  private block(block: DecodedBlock): void {
    this.emit({ type: 'block', block });
  }
  /** A two-byte little-endian parameter (nL nH) at `i`. */
  private u16(i: number): number {
    return this.at(i)! | (this.at(i + 1)! << 8);
  }
  /** A command of one parameter byte (`X n`, `X Y n`): `apply(n)` once it has arrived. */
  private oneArg(apply: (n: number) => void): number {
    if (!this.has(3)) return NEED_MORE;
    apply(this.at(2)!);
    return 3;
  }
  /** A paper cut (`feedDots` fed before it), ending the line in progress. */
  private cut(mode: CutMode, feedDots: number): void {
    this.flushLine(false);
    this.block({ kind: 'cut', offset: this.offset(), align: this.align, mode, feedDots });
  }
  /** A raster image of `rows` rows of `widthBytes` bytes (`widthDots` used), scaled, ending the line in progress. */
  private raster(
    widthBytes: number,
    rows: number,
    bits: Uint8Array,
    widthDots: number,
    scaleX: number,
    scaleY: number,
  ): void {
    this.flushLine(false);
    this.block({
      kind: 'raster',
      offset: this.offset(),
      align: this.align,
      widthBytes,
      rows,
      bits,
      scaleX,
      scaleY,
      widthDots: widthDots * scaleX,
      heightDots: rows * scaleY,
    });
  }

  private decodeText(bytes: Uint8Array): string {
    const entry = this.options.codePages?.find((c) => c.number === this.codeTable);
    const decode = entry ? codePageDecoders[entry.encoding.toLowerCase()] : undefined;
    return (decode ?? decodeAsciiOnly)(bytes);
  }

  private flushLine(force: boolean): void {
    if (this.text.length === 0 && !force) return;
    const attrs = this.textAttrs ?? this.currentAttrs();
    this.block({ kind: 'text', align: this.align, text: this.decodeText(Uint8Array.from(this.text)), ...attrs });
    this.text = [];
    this.textAttrs = undefined;
  }

  private currentAttrs(): Omit<TextBlock, 'kind' | 'text' | 'align'> {
    return {
      offset: this.offset(),
      bold: this.bold,
      underline: this.underline,
      font: this.fontB ? 'B' : 'A',
      widthMul: this.widthMul,
      heightMul: this.heightMul,
      codeTable: this.codeTable,
    };
  }

  /** Consumes one command or character; returns bytes used or NEED_MORE. */
  private step(): number {
    const b = this.at(0)!;
    if (b >= 0x20 && b !== 0x7f) {
      if (this.text.length === 0) this.textAttrs = this.currentAttrs();
      this.text.push(b);
      return 1;
    }
    switch (b) {
      case 0x0a:
        this.flushLine(true);
        return 1;
      case 0x0d:
        return 1;
      case 0x09: {
        if (this.text.length === 0) this.textAttrs = this.currentAttrs();
        do this.text.push(0x20);
        while (this.text.length % 8 !== 0);
        return 1;
      }
      case 0x0c:
        this.flushLine(true);
        return 1;
      case 0x1b:
        return this.esc();
      case 0x1d:
        return this.gs();
      case 0x10:
        return this.dle();
      case 0x1c:
        return this.fs();
      default:
        this.unknown(this.pos, 1, `control byte 0x${b.toString(16).padStart(2, '0')}`);
        return 1;
    }
  }

  private esc(): number {
    if (!this.has(2)) return NEED_MORE;
    const cmd = this.at(1)!;
    switch (cmd) {
      case 0x40: // @
        this.flushLine(false);
        this.reset();
        this.emit({ type: 'init', offset: this.offset() });
        return 2;
      case 0x61:
        return this.oneArg((n) => {
          this.align = ALIGNS[n % 48] ?? 'left';
        });
      case 0x45:
      case 0x47:
        return this.oneArg((n) => {
          this.bold = (n & 1) === 1;
        });
      case 0x2d:
        return this.oneArg((n) => {
          this.underline = n % 48 !== 0;
        });
      case 0x4d:
        return this.oneArg((n) => {
          this.fontB = n % 48 === 1;
        });
      case 0x21:
        return this.oneArg((n) => {
          this.fontB = (n & 0x01) !== 0;
          this.bold = (n & 0x08) !== 0;
          this.heightMul = n & 0x10 ? 2 : 1;
          this.widthMul = n & 0x20 ? 2 : 1;
          this.underline = (n & 0x80) !== 0;
        });
      case 0x74:
        return this.oneArg((n) => {
          this.codeTable = n;
        });
      case 0x64:
        return this.oneArg((n) => {
          this.flushLine(true);
          if (n > 1)
            this.block({ kind: 'feed', offset: this.offset(), align: this.align, dots: (n - 1) * this.lineSpacing });
        });
      case 0x4a:
        return this.oneArg((n) => {
          this.flushLine(false);
          this.block({ kind: 'feed', offset: this.offset(), align: this.align, dots: n });
        });
      case 0x32:
        this.lineSpacing = this.options.defaultLineSpacingDots ?? 30;
        return 2;
      case 0x33:
        return this.oneArg((n) => {
          this.lineSpacing = n;
        });
      // Known one-argument commands that do not change what we model.
      case 0x20: // right-side character spacing
      case 0x52: // international character set
      case 0x7b: // upside down
      case 0x56: // 90° rotation
      case 0x55: // unidirectional
      case 0x72: // colour
      case 0x25: // user-defined characters
      case 0x3d: // peripheral device
      case 0x4c: // page mode (flagged below)
        if (cmd === 0x4c) {
          this.unknown(this.pos, 2, 'page mode is not supported');
          return 2;
        }
        return this.has(3) ? 3 : NEED_MORE;
      case 0x24:
      case 0x5c:
        return this.has(4) ? 4 : NEED_MORE;
      case 0x70: // drawer kick
        return this.has(5) ? 5 : NEED_MORE;
      case 0x63: // ESC c 3/4/5 n
        return this.has(4) ? 4 : NEED_MORE;
      case 0x42: // beeper on many clones: ESC B n t
        return this.has(4) ? 4 : NEED_MORE;
      case 0x69: // legacy full cut
      case 0x6d: // legacy partial cut
        this.cut(cmd === 0x69 ? 'full' : 'partial', 0);
        return 2;
      case 0x44: {
        // horizontal tabs: ESC D n1 … nk NUL
        for (let i = 2; this.has(i + 1); i++) if (this.at(i) === 0) return i + 1;
        return NEED_MORE;
      }
      case 0x2a:
        return this.bitImage();
      default:
        this.unknown(this.pos, 2, `unknown ESC 0x${cmd.toString(16)}`);
        return 2;
    }
  }

  /** ESC * m nL nH d… — column-format bit image, converted to a raster block. */
  private bitImage(): number {
    if (!this.has(5)) return NEED_MORE;
    const m = this.at(2)!;
    const cols = this.u16(3);
    const bytesPerCol = m >= 32 ? 3 : 1;
    const total = 5 + cols * bytesPerCol;
    if (!this.has(total)) return NEED_MORE;
    if (![0, 1, 32, 33].includes(m)) {
      this.unknown(this.pos, total, `ESC * mode ${m}`);
      return total;
    }
    const rows = bytesPerCol * 8;
    const widthBytes = Math.ceil(cols / 8);
    const bits = new Uint8Array(widthBytes * rows);
    for (let x = 0; x < cols; x++) {
      for (let k = 0; k < bytesPerCol; k++) {
        const v = this.at(5 + x * bytesPerCol + k)!;
        for (let bit = 0; bit < 8; bit++) {
          if (v & (0x80 >> bit)) bits[(k * 8 + bit) * widthBytes + (x >> 3)]! |= 0x80 >> (x & 7);
        }
      }
    }
    this.raster(widthBytes, rows, bits, cols, m === 0 || m === 32 ? 2 : 1, m < 32 ? 3 : 1);
    return total;
  }

  private gs(): number {
    if (!this.has(2)) return NEED_MORE;
    const cmd = this.at(1)!;
    switch (cmd) {
      case 0x21:
        return this.oneArg((n) => {
          this.widthMul = ((n >> 4) & 0x07) + 1;
          this.heightMul = (n & 0x07) + 1;
        });
      case 0x56: {
        if (!this.has(3)) return NEED_MORE;
        const m = this.at(2)!;
        const withFeed = m >= 65;
        if (withFeed && !this.has(4)) return NEED_MORE;
        const known = [0, 1, 48, 49, 65, 66, 97, 98, 103, 104];
        if (!known.includes(m)) {
          this.unknown(this.pos, 3, `GS V ${m}`);
          return 3;
        }
        const partial = m === 1 || m === 49 || m === 66 || m === 98 || m === 104;
        this.cut(partial ? 'partial' : 'full', withFeed ? this.at(3)! : 0);
        return withFeed ? 4 : 3;
      }
      case 0x76: {
        if (!this.has(8)) return NEED_MORE;
        if (this.at(2) !== 0x30) {
          this.unknown(this.pos, 3, 'GS v with a function other than 0');
          return 3;
        }
        const m = this.at(3)!;
        const widthBytes = this.u16(4);
        const rows = this.u16(6);
        const total = 8 + widthBytes * rows;
        if (!this.has(total)) return NEED_MORE;
        const scaleX = m === 1 || m === 49 || m === 3 || m === 51 ? 2 : 1;
        const scaleY = m === 2 || m === 50 || m === 3 || m === 51 ? 2 : 1;
        this.raster(widthBytes, rows, this.buf.slice(this.pos + 8, this.pos + total), widthBytes * 8, scaleX, scaleY);
        return total;
      }
      case 0x28:
        return this.gsParen();
      case 0x6b:
        return this.barcode();
      case 0x68:
        return this.oneArg((n) => {
          this.barcodeHeight = n;
        });
      case 0x77:
        return this.oneArg((n) => {
          this.barcodeModule = n;
        });
      case 0x61:
        return this.oneArg((n) => {
          this.emit({ type: 'asb', n, offset: this.offset() });
        });
      case 0x42: // reverse
      case 0x48: // HRI position
      case 0x66: // HRI font
      case 0x62: // smoothing
      case 0x72: // transmit status (answered by the simulated printer only as unsupported)
      case 0x49: // transmit printer id
      case 0x54:
        return this.has(3) ? 3 : NEED_MORE;
      case 0x4c: // left margin
      case 0x57: // print area width
      case 0x50: // motion units
      case 0x24:
      case 0x5c:
        return this.has(4) ? 4 : NEED_MORE;
      case 0x38: {
        // GS 8 L p1 p2 p3 p4 … (large graphics data): consumed and flagged.
        if (!this.has(7)) return NEED_MORE;
        // Unsigned: `<< 24` on a byte ≥ 0x80 would make the length negative (and the step go backwards).
        const len = this.at(3)! + this.at(4)! * 0x100 + this.at(5)! * 0x10000 + this.at(6)! * 0x1000000;
        if (!this.has(7 + len)) return NEED_MORE;
        this.unknown(this.pos, 7 + len, 'GS 8 L graphics are not supported');
        return 7 + len;
      }
      default:
        this.unknown(this.pos, 2, `unknown GS 0x${cmd.toString(16)}`);
        return 2;
    }
  }

  /** GS ( X pL pH … — QR (k) decoded; other functions consumed and flagged. */
  private gsParen(): number {
    if (!this.has(5)) return NEED_MORE;
    const fnClass = this.at(2)!;
    const len = this.u16(3);
    const total = 5 + len;
    if (!this.has(total)) return NEED_MORE;
    if (fnClass !== 0x6b) {
      if (fnClass === 0x4c) this.unknown(this.pos, total, 'GS ( L graphics are not supported');
      // GS ( A, E, H, K … are configuration or responses; harmless to a receipt.
      else if (![0x41, 0x45, 0x48, 0x4b, 0x43, 0x44].includes(fnClass))
        this.unknown(this.pos, total, `GS ( 0x${fnClass.toString(16)}`);
      return total;
    }
    const cn = this.at(5);
    const fn = this.at(6);
    if (cn !== 0x31) {
      this.unknown(this.pos, total, `2D symbol ${cn} is not QR`);
      return total;
    }
    switch (fn) {
      case 0x41: // model
        break;
      case 0x43:
        this.qrModule = this.at(7)!;
        break;
      case 0x45:
        this.qrEc = EC_LEVELS[this.at(7)! - 0x30] ?? 'L';
        break;
      case 0x50:
        this.qrData = this.buf.slice(this.pos + 8, this.pos + total);
        break;
      case 0x51:
        this.flushLine(false);
        if (this.qrData) {
          this.block({
            kind: 'qr',
            offset: this.offset(),
            align: this.align,
            payload: new TextDecoder().decode(this.qrData),
            moduleDots: this.qrModule,
            errorCorrection: this.qrEc,
          });
        } else this.unknown(this.pos, total, 'QR print without stored data');
        break;
      case 0x52: // transmit size
        break;
      default:
        this.unknown(this.pos, total, `QR function 0x${(fn ?? 0).toString(16)}`);
    }
    return total;
  }

  private barcode(): number {
    if (!this.has(3)) return NEED_MORE;
    const m = this.at(2)!;
    let data: Uint8Array;
    let total: number;
    if (m <= 6) {
      let end = -1;
      for (let i = 3; this.has(i + 1); i++)
        if (this.at(i) === 0) {
          end = i;
          break;
        }
      if (end < 0) return NEED_MORE;
      data = this.buf.slice(this.pos + 3, this.pos + end);
      total = end + 1;
    } else {
      if (!this.has(4)) return NEED_MORE;
      total = 4 + this.at(3)!;
      if (!this.has(total)) return NEED_MORE;
      data = this.buf.slice(this.pos + 4, this.pos + total);
    }
    const symbology = BARCODES[m];
    if (!symbology) {
      this.unknown(this.pos, total, `barcode system ${m}`);
      return total;
    }
    this.flushLine(false);
    let text = decodeAsciiOnly(data);
    if (symbology === 'CODE128' && /^\{[ABC]/u.test(text)) text = text.slice(2);
    this.block({
      kind: 'barcode',
      offset: this.offset(),
      align: this.align,
      symbology,
      data: text,
      heightDots: this.barcodeHeight,
      moduleDots: this.barcodeModule,
    });
    return total;
  }

  private dle(): number {
    if (!this.has(2)) return NEED_MORE;
    const cmd = this.at(1)!;
    if (cmd === 0x04 || cmd === 0x05) {
      if (!this.has(3)) return NEED_MORE;
      if (cmd === 0x04) this.emit({ type: 'realtime-status', n: this.at(2)!, offset: this.offset() });
      return 3;
    }
    if (cmd === 0x14) {
      if (!this.has(3)) return NEED_MORE;
      const fn = this.at(2)!;
      const len = fn === 8 ? 10 : fn === 7 ? 4 : 5;
      return this.has(len) ? len : NEED_MORE;
    }
    this.unknown(this.pos, 1, 'DLE without a real-time command');
    return 1;
  }

  private fs(): number {
    if (!this.has(2)) return NEED_MORE;
    const cmd = this.at(1)!;
    switch (cmd) {
      case 0x2e: // cancel Kanji mode
      case 0x26: // Kanji mode
        return 2;
      case 0x43: // Kanji code system
      case 0x21: // Kanji print mode
      case 0x2d: // Kanji underline
      case 0x57: // Kanji quadruple
        return this.has(3) ? 3 : NEED_MORE;
      case 0x53:
      case 0x70: // NV bit image print: flagged (we cannot show stored logos)
        if (!this.has(4)) return NEED_MORE;
        if (cmd === 0x70) this.unknown(this.pos, 4, 'NV bit image (stored logo) not modelled');
        return 4;
      default:
        this.unknown(this.pos, 2, `unknown FS 0x${cmd.toString(16)}`);
        return 2;
    }
  }
}

/** One receipt as a person would see it, plus what a tester needs to know about the stream. */
export interface DecodedReceipt {
  blocks: DecodedBlock[];
  /** Native text lines in order (raster lines are in `blocks` as images). */
  lines: string[];
  qrPayloads: string[];
  cuts: CutMode[];
  unknown: UnknownCommand[];
  /** DLE EOT n queries seen inside the stream. */
  statusQueries: number[];
  /** The stream ended inside a command. */
  truncated: boolean;
  byteLength: number;
}

export function emptyReceipt(): DecodedReceipt {
  return {
    blocks: [],
    lines: [],
    qrPayloads: [],
    cuts: [],
    unknown: [],
    statusQueries: [],
    truncated: false,
    byteLength: 0,
  };
}

/** Adds one parser event to a receipt. */
export function addToReceipt(receipt: DecodedReceipt, event: ParserEvent): void {
  switch (event.type) {
    case 'block': {
      const block = event.block;
      receipt.blocks.push(block);
      if (block.kind === 'text') receipt.lines.push(block.text);
      else if (block.kind === 'qr') receipt.qrPayloads.push(block.payload);
      else if (block.kind === 'cut') receipt.cuts.push(block.mode);
      break;
    }
    case 'realtime-status':
      receipt.statusQueries.push(event.n);
      break;
    case 'unknown':
      receipt.unknown.push(event.command);
      break;
    default:
      break;
  }
}

/**
 * Where a job may be split so that something else (a DLE EOT status query) can be sent in
 * between: offsets that end a command, never inside a command's parameters or image data.
 * Printers take real-time byte sequences even inside image data, so a query slipped into a
 * raster would both corrupt the image and be answered.
 */
export function commandBoundaries(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const parser = new EscPosStreamParser(
    () => undefined,
    {},
    (offset) => out.push(offset),
  );
  parser.push(bytes);
  if (out[out.length - 1] !== bytes.length) out.push(bytes.length);
  return out;
}

export function decodeEscPos(bytes: Uint8Array, options: DecodeOptions = {}): DecodedReceipt {
  const receipt = emptyReceipt();
  const parser = new EscPosStreamParser((e) => addToReceipt(receipt, e), options);
  parser.push(bytes);
  receipt.truncated = parser.end().truncated;
  receipt.byteLength = bytes.length;
  return receipt;
}
