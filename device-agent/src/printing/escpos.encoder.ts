/**
 * Ticket → ESC/POS bytes for one printer profile. ASCII text, the big number and the QR
 * are native commands; a line that is not ASCII goes out in a Vietnamese code page only when
 * the profile marks one `reliable`, otherwise as a 1-bit raster of just that line.
 */
import QRCode from 'qrcode';
import type { Ticket } from '@kiosk/protocol';
import type { PrinterProfile } from '@kiosk/hardware-profiles';
import { EscPosBuilder, type Align, type QrErrorCorrection } from './escpos.commands';
import { layoutTicket, type LayoutOptions, type TicketItem } from './ticket.layout';
import { foldToAscii, isPrintableAscii, wrapText } from './text';
import { codePageEncoders } from './codepages';
import { bundledTextRasterizer } from './text-raster';
import type { EncodedJob, RasterTextStyle, TextRasterizer } from './escpos.types';

export interface EncodeTicketOptions extends LayoutOptions {
  /**
   * Non-ASCII lines: 'auto' = a reliable Vietnamese code page from the profile, else raster;
   * 'raster' = always raster; 'ascii' = strip the marks (last resort, not correct Vietnamese).
   */
  nonAscii?: 'auto' | 'raster' | 'ascii';
  /** QR error correction. Default 'M'. */
  qrErrorCorrection?: QrErrorCorrection;
  /** QR module size in dots; default chosen so the code is about 40 % of the paper width. */
  qrModuleDots?: number;
  /** Dots fed past the cutter before the cut. Default 24. */
  cutFeedDots?: number;
  /** Renders non-ASCII lines; default the bundled Be Vietnam Pro outline rasterizer. */
  rasterizer?: TextRasterizer;
}

/** Geometry of one printer, derived from its profile (never hard-coded per model). */
export interface PrintGeometry {
  dotsPerLine: number;
  /** Font A columns and the dot width of one font-A character. */
  columns: number;
  charWidthDots: number;
  /** Font A cell height; 24 dots on every 203/180 dpi ESC/POS model. */
  charHeightDots: number;
}

export function geometryOf(profile: PrinterProfile): PrintGeometry {
  const { dotsPerLine, columns } = profile.capabilities;
  return {
    dotsPerLine,
    columns: columns.fontA,
    charWidthDots: Math.max(1, Math.floor(dotsPerLine / columns.fontA)),
    charHeightDots: 24,
  };
}

interface VietnameseCodePage {
  number: number;
  encode: (text: string) => Uint8Array | undefined;
}

function reliableVietnameseCodePage(profile: PrinterProfile): VietnameseCodePage | undefined {
  for (const cp of profile.capabilities.codePages) {
    if (!cp.reliable) continue;
    const encode = codePageEncoders[cp.encoding.toLowerCase()];
    if (encode) return { number: cp.number, encode };
  }
  return undefined;
}

/** One ticket as a job for this profile: its bytes, where it may be split, the paper it takes. */
export function encodeTicket(ticket: Ticket, profile: PrinterProfile, options: EncodeTicketOptions = {}): EncodedJob {
  return encodeItems(layoutTicket(ticket, options), profile, options);
}

export function encodeItems(
  items: readonly TicketItem[],
  profile: PrinterProfile,
  options: EncodeTicketOptions = {},
): EncodedJob {
  const geo = geometryOf(profile);
  const mode = options.nonAscii ?? 'auto';
  const codePage = mode === 'auto' ? reliableVietnameseCodePage(profile) : undefined;
  const b = new EscPosBuilder();
  b.init();
  if (codePage) b.codeTable(codePage.number);

  let align: Align | undefined;
  const setAlign = (a: Align) => {
    if (a !== align) b.align(a);
    align = a;
  };

  let rasterizer: TextRasterizer | undefined = options.rasterizer;
  const getRasterizer = (): TextRasterizer => (rasterizer ??= bundledTextRasterizer());
  const rasterStyle = (bold: boolean, scale: number): RasterTextStyle => ({
    bold,
    scale,
    lineHeightDots: geo.charHeightDots * scale,
  });

  /** One wrapped line: native when ASCII (or in a reliable code page), else one raster line. */
  const emitLine = (line: string, bold: boolean, scale: number, raster: boolean) => {
    if (!raster) {
      if (isPrintableAscii(line)) b.line(line);
      else b.line((codePage?.encode(line) ?? foldToAscii(line)) as Uint8Array | string);
      return;
    }
    const bmp = getRasterizer().render(line, geo.dotsPerLine, rasterStyle(bold, scale));
    if (!bmp) return void b.line('');
    if (bmp.padTopDots > 0) b.feedDots(bmp.padTopDots);
    b.raster(bmp.bits, bmp.widthBytes, bmp.heightDots);
    if (bmp.padBottomDots > 0) b.feedDots(bmp.padBottomDots);
  };

  /**
   * Lines of one item. An item that needs a raster is wrapped by rendered width and every one
   * of its lines is rasterized (a wrapped "3" in the printer font under a raster line looks
   * broken); any other item is wrapped by columns and printed natively.
   */
  const linesOf = (
    text: string,
    bold: boolean,
    scale: number,
    maxLines: number,
  ): { lines: string[]; raster: boolean } => {
    const maxCols = Math.max(1, Math.floor(geo.columns / scale));
    const raster = !isPrintableAscii(text) && mode !== 'ascii' && !codePage?.encode(text);
    let lines = raster
      ? getRasterizer().wrap(text, geo.dotsPerLine, rasterStyle(bold, scale))
      : wrapText(mode === 'ascii' ? foldToAscii(text) : text, maxCols);
    if (lines.length > maxLines) {
      lines = lines.slice(0, maxLines);
      const last = lines[maxLines - 1]!;
      // The rasterizer shortens an over-wide line itself, keeping the ellipsis.
      lines[maxLines - 1] = raster ? `${last}…` : `${[...last].slice(0, maxCols - 3).join('')}...`;
    }
    return { lines, raster };
  };

  for (const item of items) {
    switch (item.kind) {
      case 'text': {
        const scale = Math.max(1, Math.min(8, item.scale ?? 1));
        const bold = !!item.bold;
        setAlign(item.align);
        if (bold) b.bold(true);
        if (scale > 1) b.size(scale, scale);
        const { lines, raster } = linesOf(item.text, bold, scale, item.maxLines ?? 4);
        for (const line of lines) emitLine(line, bold, scale, raster);
        if (scale > 1) b.size(1, 1);
        if (bold) b.bold(false);
        break;
      }
      case 'number': {
        const text = foldToAscii(item.text);
        const scale = Math.max(1, Math.min(4, Math.floor(geo.columns / Math.max(1, text.length))));
        setAlign('center');
        b.bold(true).size(scale, scale);
        for (const line of wrapText(text, Math.floor(geo.columns / scale))) b.line(line);
        b.size(1, 1).bold(false);
        break;
      }
      case 'rule':
        setAlign('left');
        b.line('-'.repeat(geo.columns));
        break;
      case 'feed':
        b.feedLines(item.lines);
        break;
      case 'qr':
        setAlign('center');
        emitQr(b, item.payload, profile, geo, options);
        break;
    }
  }
  b.feedLines(2);
  if (profile.capabilities.cutter === 'none') b.feedLines(4);
  else b.cut(profile.capabilities.cutter === 'partial' ? 'partial' : 'full', options.cutFeedDots ?? 24);
  return b.build();
}

/** Byte-mode capacity of QR versions 1–10 (ISO/IEC 18004 table 7). */
const QR_BYTE_CAPACITY: Record<QrErrorCorrection, number[]> = {
  L: [17, 32, 53, 78, 106, 134, 154, 192, 230, 271],
  M: [14, 26, 42, 62, 84, 106, 122, 152, 180, 213],
  Q: [11, 20, 32, 46, 60, 74, 86, 108, 130, 151],
  H: [7, 14, 24, 34, 44, 58, 64, 84, 98, 119],
};
/** Modules per side of the QR a printer makes for `bytes` of data (byte mode: an upper bound). */
export function qrSizeUpperBound(bytes: number, ec: QrErrorCorrection): number {
  const version = QR_BYTE_CAPACITY[ec].findIndex((cap) => cap >= bytes) + 1 || 10;
  return 17 + 4 * version;
}

function emitQr(
  b: EscPosBuilder,
  payload: string,
  profile: PrinterProfile,
  geo: PrintGeometry,
  options: EncodeTicketOptions,
): void {
  const ec = options.qrErrorCorrection ?? 'M';
  const data = new TextEncoder().encode(payload);
  const moduleDotsFor = (modules: number) =>
    options.qrModuleDots ?? Math.max(3, Math.min(8, Math.floor((geo.dotsPerLine * 0.4) / modules)));
  if (profile.capabilities.nativeQr) {
    // The printer builds the symbol; its size only sets the module size, so no matrix here.
    const modules = qrSizeUpperBound(data.length, ec);
    b.qr(data, moduleDotsFor(modules), ec, modules);
    b.line('');
    return;
  }
  const qr = QRCode.create(payload, { errorCorrectionLevel: ec });
  const modules = qr.modules.size;
  const moduleDots = moduleDotsFor(modules);
  const size = modules * moduleDots;
  const widthBytes = Math.ceil(size / 8);
  const bits = new Uint8Array(widthBytes * size);
  for (let y = 0; y < size; y++) {
    const my = Math.floor(y / moduleDots);
    for (let x = 0; x < size; x++) {
      if (qr.modules.get(my, Math.floor(x / moduleDots))) bits[y * widthBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  b.raster(bits, widthBytes, size);
  b.feedDots(geo.charHeightDots / 2);
}
